"""The extensions media files are told by: one list for the folder walk (discover) and for the videos a
caption file beside them may belong to (captions)."""

# what FFmpeg reads and cameras, recorders and old archives name their files: camcorders write AVCHD
# (.mts/.m2ts), HDV (.m2t) and MPEG-PS (.mod/.tod), DVDs .vob, pro cameras .mxf/.dv, old lecture archives
# .asf/.rm/.rmvb; podcasts and audiobooks are .m4b, phones record calls as .amr, Macs write .aiff/.caf
VIDEO_EXTENSIONS = frozenset((".mp4 .m4v .mov .qt .mkv .webm .avi .divx .mpg .mpeg .ts .mts .m2ts .m2t .mod .tod .vob "
                              ".flv .f4v .wmv .asf .ogv .3gp .3g2 .mxf .dv .rm .rmvb").split())
AUDIO_EXTENSIONS = frozenset((".mp3 .mp2 .wav .m4a .m4b .aac .ac3 .flac .ogg .oga .opus .wma .mka .amr .aif .aiff .aifc "
                              ".caf").split())
IMAGE_EXTENSIONS = frozenset(".jpg .jpeg .jpe .jfif .png .webp .avif .bmp .gif .tif .tiff".split())
MEDIA_EXTENSIONS = VIDEO_EXTENSIONS | AUDIO_EXTENSIONS | IMAGE_EXTENSIONS

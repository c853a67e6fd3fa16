"""Stages that turn a media file into time-aligned, embedded segments: decode → keyframes,
transcribe → chunks → index."""

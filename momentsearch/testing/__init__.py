"""Test and benchmark tooling (rendered lectures, a tiny Whisper): not used by the runtime package."""

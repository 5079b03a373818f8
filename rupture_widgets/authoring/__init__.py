"""Making clips for the library: `rupture clips build` (synthesised from scripts) and
`rupture clips add` (your own footage).

script.py   clip scripts and personas (JSON), validated; no extra packages needed
voice.py    the client's voice: Piper TTS reshaped per persona and emotion with Praat
avatar.py   the client on screen: an illustrated person in a therapy room, drawn with Pillow
room.py     the therapy room and the canvas it is drawn on
captions.py speech-timed cues -> readable captions (minimum time, reading speed, no flicker)
encode.py   the web-safe files: H.264 + AAC mp4 with faststart, WebVTT, poster (PyAV, Pillow)
build.py    script -> clip (needs the 'authoring' extra)
add.py      any video -> clip (core install only)
"""

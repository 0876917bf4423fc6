#!/usr/bin/env python3
"""Generates a small music library with the ffmpeg CLI: every supported format, tags (unicode too),
a multi-disc album in disc sub-folders with a folder cover, a compilation, embedded covers, and broken
files. Prints nothing; writes manifest.json describing what a correct import must find."""
import json
import os
import subprocess
import sys


def ff(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def tone(path, freq, seconds, codec_args, tags, cover=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    meta = []
    for k, v in tags.items():
        meta += ["-metadata", f"{k}={v}"]
    if cover:
        ff("-f", "lavfi", "-i", f"sine=frequency={freq}:duration={seconds}", "-i", cover,
           "-map", "0:a", "-map", "1:v", *codec_args, "-c:v", "copy", "-disposition:v", "attached_pic", *meta, path)
    else:
        ff("-f", "lavfi", "-i", f"sine=frequency={freq}:duration={seconds}", *codec_args, *meta, path)


def main(out):
    os.makedirs(out, exist_ok=True)
    covers = os.path.join(out, "_covers")
    os.makedirs(covers, exist_ok=True)
    red = os.path.join(covers, "red.png")
    blue = os.path.join(covers, "blue.jpg")
    ff("-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", red)
    ff("-f", "lavfi", "-i", "color=c=blue:s=64x64", "-frames:v", "1", blue)

    mp3 = ["-c:a", "libmp3lame", "-b:a", "128k", "-id3v2_version", "3"]
    lib = os.path.join(out, "library")
    manifest = {"tracks": {}, "broken": []}

    def add(rel, freq, secs, codec, tags, fmt, cover=None):
        tone(os.path.join(lib, rel), freq, secs, codec, tags, cover)
        manifest["tracks"][rel] = {"title": tags.get("title"), "format": fmt, "duration": secs, **{
            k: tags[k] for k in ("artist", "album", "album_artist", "genre") if k in tags}}

    for n in range(1, 4):
        add(f"Test Artist/Sine Album/0{n} Tone {n}.mp3", 220 * n, 2, mp3,
            {"title": f"Tone {n}", "artist": "Test Artist", "album": "Sine Album", "track": f"{n}/3",
             "date": "2021-05-04", "genre": "rock/pop"}, "mp3", cover=red)
    for disc in (1, 2):
        for n in (1, 2):
            tags = {"title": f"Part {disc}.{n}", "artist": "Test Artist", "album": "Double Album",
                    "track": str(n), "disc": f"{disc}/2", "genre": "Classical"}
            if (disc, n) == (1, 2):
                tags["LYRICS"] = "Embedded first line\nEmbedded second line"
            add(f"Test Artist/Double Album/CD{disc}/{n:02d} Part {disc}.{n}.flac", 300 + 50 * n + disc, 1,
                ["-c:a", "flac"], tags, "flac")
    with open(os.path.join(lib, "Test Artist/Sine Album/03 Tone 3.lrc"), "w") as f:
        f.write("[ar:Test Artist]\n[ti:Tone 3]\n[00:00.50]Hello\n[00:01.00][00:01.75]Again and again\n")
    ff("-f", "lavfi", "-i", "color=c=green:s=80x80", "-frames:v", "1",
       os.path.join(lib, "Test Artist/Double Album/cover.jpg"))
    add("Various/Hits/01.ogg", 500, 1, ["-c:a", "libvorbis"],
        {"title": "First Hit", "artist": "Singer One", "album": "Hits", "album_artist": "Various Artists",
         "compilation": "1", "track": "1"}, "ogg")
    add("Various/Hits/02.opus", 550, 1, ["-c:a", "libopus", "-b:a", "64k"],
        {"title": "Second Hit", "artist": "Singer Two", "album": "Hits", "album_artist": "Various Artists",
         "compilation": "1", "track": "2"}, "opus")
    add("Singles/café.m4a", 600, 2, ["-c:a", "aac", "-b:a", "96k"],
        {"title": "Café — Beyoncé", "artist": "Beyoncé", "album": "Été", "genre": "Pop; Dance"}, "aac", cover=blue)
    add("Singles/plain.wav", 650, 1, ["-c:a", "pcm_s16le"], {}, "wav")
    add("Singles/lovely.aiff", 700, 1, ["-c:a", "pcm_s16be", "-write_id3v2", "1"],
        {"title": "Lovely", "artist": "Aiff Band"}, "aiff")
    # Broken: a truncated MP3 (header only), an empty file, text named .mp3.
    src = os.path.join(lib, "Test Artist/Sine Album/01 Tone 1.mp3")
    with open(src, "rb") as f:
        head = f.read(300)
    bad = os.path.join(lib, "Broken")
    os.makedirs(bad, exist_ok=True)
    with open(os.path.join(bad, "truncated.mp3"), "wb") as f:
        f.write(head)
    open(os.path.join(bad, "empty.flac"), "wb").close()
    with open(os.path.join(bad, "notes.mp3"), "w") as f:
        f.write("this is not audio at all, just text\n" * 20)
    manifest["broken"] = ["Broken/truncated.mp3", "Broken/empty.flac", "Broken/notes.mp3"]
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])

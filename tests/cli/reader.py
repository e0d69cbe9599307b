"""A reader of blogdom's stdout that pauses or reads slowly, as a pipeline's
next stage does when it is busy. Started by the harness and by
bench/scenarios.py as

    blogdom ... | python3 reader.py OUT [--pause-after N --pause S]
                                        [--rate LINES]

It reads its stdin to the end and writes every byte to OUT, unchanged.
With --pause it stops reading for S seconds once, as soon as it has read N
lines, then reads on. With --rate it reads LINES lines a second: after each
read of up to 4 KiB it sleeps until its lines are due, counted from its
first byte. Without either it reads as fast as it can, 64 KiB at a time.
Standard library only; it runs nothing and talks to no network."""

import argparse
import os
import sys
import time

FAST_READ = 65536
# Small reads keep a slow reader's pace even: 4 KiB is about 200 of
# blogdom's lines, a few milliseconds of reading at tens of thousands of
# lines a second.
SLOW_READ = 4096


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="file that gets every byte read")
    p.add_argument("--pause-after", type=int, default=0, metavar="N",
                   help="lines to read before the pause")
    p.add_argument("--pause", type=float, default=0.0, metavar="S",
                   help="seconds to stop reading, once")
    p.add_argument("--rate", type=float, default=0.0, metavar="LINES",
                   help="lines a second (default: as fast as it can)")
    args = p.parse_args(argv)
    if args.pause < 0 or args.rate < 0 or args.pause_after < 0:
        p.error("--pause, --pause-after and --rate must not be negative")
    return args


def main(argv=None):
    args = parse_args(argv)
    fd = sys.stdin.fileno()
    size = SLOW_READ if args.rate else FAST_READ
    lines = 0
    paused = not args.pause
    start = None
    with open(args.out, "wb") as out:
        while True:
            data = os.read(fd, size)
            if not data:
                break
            if start is None:
                start = time.monotonic()
            out.write(data)
            lines += data.count(b"\n")
            if not paused and lines >= args.pause_after:
                paused = True
                time.sleep(args.pause)
                # The pause is not the pace's to make up for.
                start += args.pause
            if args.rate:
                ahead = start + lines / args.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Reference reward server for FlowTune's `remote` reward (standard library only).

Serves the "colour" reward, a faithful port of FlowTune's ColourReward (src/FlowTune/Rewards/ColourReward.cs),
over two protocols (see docs/REWARD_SERVER.md):

* JSON:   POST /score  {"images": [base64 PNG, ...], "prompts": [str, ...], "metadata": [any JSON, ...]}
          -> 200 {"scores": [float, ...], "components": {"colour_match": [...], "coverage": [...]}}
* pickle: POST /       a pickled dict shaped like Flow-GRPO's GenEval server request
          {"images": [PNG bytes, ...], "meta_datas": [dict with "prompt" and "tag", ...], "only_strict": bool}
          -> 200 pickled {"scores", "rewards", "strict_rewards", "group_rewards", "group_strict_rewards"}
* GET /health -> 200 {"status": "ok", "reward": "colour", "palette": {...}, "foreground_threshold": 96}

Errors are 4xx/5xx with a JSON body {"error": "..."}. Requests are decoded with a pickle.Unpickler that refuses
every global, so a hostile request cannot make this server import or call anything.

Fault injection (for tests): --fail-after N, --fail-status CODE, --hostile {shape,length,nan,pickle-global},
--delay SECONDS.
"""

import argparse
import base64
import binascii
import io
import json
import pickle
import re
import struct
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The shapes world's palette as PNG bytes, in ShapeColor order (FlowTune checks it against /health).
PALETTE = [
    ("red", (235, 31, 31)),
    ("orange", (255, 107, 5)),
    ("yellow", (242, 237, 31)),
    ("green", (41, 204, 56)),
    ("blue", (51, 102, 255)),
    ("purple", (163, 56, 230)),
    ("pink", (255, 133, 199)),
    ("white", (242, 242, 242)),
]
FOREGROUND_THRESHOLD = 96

MAX_BODY_BYTES = 64 << 20
MAX_IMAGES = 1024
MAX_PIXELS = 4096 * 4096
GENEVAL_TAGS = ["single_object", "two_object", "counting", "colors", "position", "color_attr"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class RequestError(Exception):
    """An error answered with `status` and {"error": message}."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------- PNG decoding (8-bit RGB / RGBA, no interlace)

def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data):
    """Returns (width, height, rows) where rows[y] is a bytes object of 3*width RGB values (alpha dropped)."""
    if data[:3] == b"\xff\xd8\xff":
        raise RequestError(400, "JPEG not supported by this stdlib server, send PNG")
    if data[:8] != PNG_SIGNATURE:
        raise RequestError(400, "image is not a PNG (bad signature)")
    pos, header, idat = 8, None, []
    while True:
        if pos + 8 > len(data):
            raise RequestError(400, "truncated PNG (no IEND chunk)")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if len(chunk) != length or pos + 12 + length > len(data):
            raise RequestError(400, f"truncated PNG chunk {kind!r}")
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + chunk) & 0xFFFFFFFF != crc:
            raise RequestError(400, f"bad CRC in PNG chunk {kind!r}")
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
    if header is None:
        raise RequestError(400, "PNG has no IHDR chunk")
    width, height, depth, colour_type, _compression, _filter, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace != 0:
        raise RequestError(400, f"unsupported PNG (bit depth {depth}, colour type {colour_type}, interlace {interlace}); "
                                "send 8-bit RGB or RGBA, non-interlaced")
    if width == 0 or height == 0 or width * height > MAX_PIXELS:
        raise RequestError(400, f"PNG of {width}x{height} pixels is outside 1..{MAX_PIXELS} pixels")
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    expected = height * (stride + 1)
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(b"".join(idat), expected + 1)
    except zlib.error as error:
        raise RequestError(400, f"bad PNG image data: {error}") from None
    if len(raw) != expected:
        raise RequestError(400, f"PNG image data holds {len(raw)} bytes, expected {expected}")
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            for i in range(stride):
                line[i] = (line[i] + previous[i]) & 0xFF
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                up_left = previous[i - channels] if i >= channels else 0
                line[i] = (line[i] + _paeth(left, previous[i], up_left)) & 0xFF
        elif kind != 0:
            raise RequestError(400, f"bad PNG filter type {kind} in row {y}")
        previous = line
        rows.append(bytes(line) if channels == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3))
    return width, height, rows


# ---------------------------------------------------------------- the colour reward (port of ColourReward.cs)

def named_colours(prompt):
    words = {word.lower() for word in re.findall(r"[A-Za-z]+", prompt)}
    return {k for k, (name, _rgb) in enumerate(PALETTE) if name in words}


def nearest_colour(r, g, b):
    m = max(r, g, b)
    best, best_distance, best_scale = -1, 0, 1
    for k, (_name, (pr, pg, pb)) in enumerate(PALETTE):
        pm = max(pr, pg, pb)
        dr, dg, db = r * pm - pr * m, g * pm - pg * m, b * pm - pb * m
        distance, scale = dr * dr + dg * dg + db * db, pm * pm
        if best < 0 or distance * best_scale < best_distance * scale:
            best, best_distance, best_scale = k, distance, scale
    return best


def colour_score(png, prompt):
    """Returns (colour_match, coverage) of one PNG image against one prompt."""
    width, height, rows = decode_png(png)
    named = named_colours(prompt)
    foreground = matching = 0
    cache = {}
    for row in rows:
        for i in range(0, len(row), 3):
            r, g, b = row[i], row[i + 1], row[i + 2]
            if max(r, g, b) < FOREGROUND_THRESHOLD:
                continue
            foreground += 1
            if not named:
                matching += 1
                continue
            key = (r, g, b)
            colour = cache.get(key)
            if colour is None:
                colour = cache[key] = nearest_colour(r, g, b)
            if colour in named:
                matching += 1
    match = matching / foreground if foreground else 0.0
    return match, foreground / (width * height)


# ---------------------------------------------------------------- request decoding

class _NoGlobalsUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise RequestError(400, f"pickle request refused: it asks for the global {module}.{name}")


def load_pickle_request(body):
    try:
        return _NoGlobalsUnpickler(io.BytesIO(body)).load()
    except RequestError:
        raise
    except Exception as error:  # any malformed pickle
        raise RequestError(400, f"request is not a valid pickle: {error}") from None


def _check_batch(images, prompts):
    if not isinstance(images, list) or not isinstance(prompts, list):
        raise RequestError(400, "images and prompts must be lists")
    if len(images) != len(prompts):
        raise RequestError(400, f"{len(images)} images but {len(prompts)} prompts")
    if len(images) > MAX_IMAGES:
        raise RequestError(413, f"{len(images)} images exceed the limit of {MAX_IMAGES} per request")
    for i, prompt in enumerate(prompts):
        if not isinstance(prompt, str):
            raise RequestError(400, f"prompt {i} is not a string")


def score_json(body):
    try:
        request = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise RequestError(400, f"request is not valid JSON: {error}") from None
    if not isinstance(request, dict) or "images" not in request or "prompts" not in request:
        raise RequestError(400, 'request must be an object with "images" and "prompts"')
    images, prompts = request["images"], request["prompts"]
    _check_batch(images, prompts)
    metadata = request.get("metadata")
    if metadata is not None and (not isinstance(metadata, list) or len(metadata) != len(images)):
        raise RequestError(400, "metadata, when given, must be a list with one entry per image")
    pngs = []
    for i, text in enumerate(images):
        if not isinstance(text, str):
            raise RequestError(400, f"image {i} is not a base64 string")
        try:
            pngs.append(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise RequestError(400, f"image {i} is not valid base64") from None
    results = [colour_score(png, prompt) for png, prompt in zip(pngs, prompts)]
    match = [m for m, _ in results]
    return {"scores": match, "components": {"colour_match": match, "coverage": [c for _, c in results]}}


def score_pickle(body):
    request = load_pickle_request(body)
    if not isinstance(request, dict) or "images" not in request or "meta_datas" not in request:
        raise RequestError(400, 'pickled request must be a dict with "images", "meta_datas" and "only_strict"')
    images, metas = request["images"], request["meta_datas"]
    only_strict = bool(request.get("only_strict", False))
    if not isinstance(images, list) or not isinstance(metas, list) or len(images) != len(metas):
        raise RequestError(400, "images and meta_datas must be lists of the same length")
    prompts = []
    for i, meta in enumerate(metas):
        if not isinstance(meta, dict) or not isinstance(meta.get("prompt"), str):
            raise RequestError(400, f'meta_datas[{i}] must be a dict with a "prompt" string')
        prompts.append(meta["prompt"])
    _check_batch(images, prompts)
    for i, image in enumerate(images):
        if not isinstance(image, (bytes, bytearray)):
            raise RequestError(400, f"images[{i}] is not bytes")
    scores, rewards, strict_rewards = [], [], []
    group_rewards = {key: [] for key in GENEVAL_TAGS}
    group_strict_rewards = {key: [] for key in GENEVAL_TAGS}
    for image, prompt, meta in zip(images, prompts, metas):
        score, _coverage = colour_score(bytes(image), prompt)
        strict = 1.0 if score == 1.0 else 0.0
        correct = 0.0 if only_strict else strict
        scores.append(score)
        rewards.append(correct)
        strict_rewards.append(strict)
        tag = meta.get("tag")
        for key in GENEVAL_TAGS:
            group_rewards[key].append(correct if key == tag else -10.0)
            group_strict_rewards[key].append(strict if key == tag else -10.0)
    return {"scores": scores, "rewards": rewards, "strict_rewards": strict_rewards,
            "group_rewards": group_rewards, "group_strict_rewards": group_strict_rewards}


# ---------------------------------------------------------------- hostile answers (fault injection)

def hostile_global_pickle(command):
    """A protocol 2 pickle of os.system(command) built by hand (GLOBAL + REDUCE); never loaded here."""
    text = command.encode("utf-8")
    return (b"\x80\x02" + b"cos\nsystem\n" + b"X" + struct.pack("<I", len(text)) + text
            + b"\x85" + b"R" + b".")


def make_hostile(response, mode, count):
    if mode == "shape":
        response["scores"] = {str(i): s for i, s in enumerate(response["scores"])}
    elif mode == "length":
        response["scores"] = response["scores"][:-1] if count else [0.5]
    elif mode == "nan" and count:
        response["scores"] = [float("nan")] + response["scores"][1:]
    return response


# ---------------------------------------------------------------- HTTP

class RewardHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FlowTuneRewardServer/1"

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        if self.server.options.verbose:
            sys.stderr.write("reward_server: " + (format % args) + "\n")

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status, value):
        self._send(status, json.dumps(value).encode("utf-8"), "application/json")

    def _error(self, status, message):
        self._send_json(status, {"error": message})

    def _injected_failure(self):
        options = self.server.options
        if options.fail_after is not None and self.server.successes() >= options.fail_after:
            self._error(options.fail_status, f"injected failure (--fail-after {options.fail_after})")
            return True
        return False

    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            raise RequestError(411, "Content-Length required")
        try:
            length = int(length)
        except ValueError:
            self.close_connection = True
            raise RequestError(400, "bad Content-Length") from None
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            raise RequestError(413, f"request body of {length} bytes exceeds the limit of {MAX_BODY_BYTES} bytes")
        return self.rfile.read(length)

    def do_GET(self):  # noqa: N802 - http.server naming
        if self._injected_failure():
            return
        if self.path == "/health":
            palette = {name: list(rgb) for name, rgb in PALETTE}
            self._send_json(200, {"status": "ok", "reward": "colour", "palette": palette,
                                  "foreground_threshold": FOREGROUND_THRESHOLD})
        else:
            self._error(404, f"no such endpoint GET {self.path} (try GET /health, POST /score or POST /)")

    def do_POST(self):  # noqa: N802 - http.server naming
        options = self.server.options
        try:
            body = self._read_body()
        except RequestError as error:
            self._error(error.status, str(error))
            return
        if self._injected_failure():
            return
        if self.path not in ("/score", "/"):
            self._error(404, f"no such endpoint POST {self.path} (try POST /score or POST /)")
            return
        if options.delay > 0:
            time.sleep(options.delay)
        try:
            if self.path == "/score":
                response = score_json(body)
            else:
                response = score_pickle(body)
        except RequestError as error:
            self._error(error.status, str(error))
            return
        except Exception as error:  # a bug here: report it, keep serving
            self._error(500, f"internal error: {type(error).__name__}: {error}")
            return
        count = len(response["scores"])
        self.server.count_success()
        if options.hostile == "pickle-global":
            self._send(200, hostile_global_pickle(options.hostile_command), "application/octet-stream")
            return
        response = make_hostile(response, options.hostile, count)
        if self.path == "/score":
            self._send_json(200, response)  # json.dumps writes a NaN score as the bare token NaN
        else:
            self._send(200, pickle.dumps(response), "application/octet-stream")


class RewardServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, options):
        super().__init__(address, RewardHandler)
        self.options = options
        self._lock = threading.Lock()
        self._successes = 0

    def successes(self):
        with self._lock:
            return self._successes

    def count_success(self):
        with self._lock:
            self._successes += 1


def parse_args(argv):
    parser = argparse.ArgumentParser(description="FlowTune reference reward server (colour reward, stdlib only)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=18085, help="port to bind, 0 picks a free one (default 18085)")
    parser.add_argument("--fail-after", type=int, default=None, metavar="N",
                        help="after N successful scoring requests answer every request with --fail-status")
    parser.add_argument("--fail-status", type=int, default=None, metavar="CODE",
                        help="status of injected failures (default 503); alone it fails every request")
    parser.add_argument("--hostile", choices=["shape", "length", "nan", "pickle-global"], default=None,
                        help="answer successful requests with a malformed or hostile body")
    parser.add_argument("--hostile-command", default="touch flowtune-hostile-pickle-ran", metavar="CMD",
                        help="the shell command the pickle-global answer asks os.system to run")
    parser.add_argument("--delay", type=float, default=0.0, metavar="SECONDS", help="sleep before scoring")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    options = parser.parse_args(argv)
    if options.fail_status is not None and options.fail_after is None:
        options.fail_after = 0
    if options.fail_status is None:
        options.fail_status = 503
    if not 400 <= options.fail_status <= 599:
        parser.error("--fail-status must be a 4xx or 5xx code")
    return options


def main(argv=None):
    options = parse_args(sys.argv[1:] if argv is None else argv)
    server = RewardServer((options.host, options.port), options)
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

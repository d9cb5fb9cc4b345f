"""Drive `schoolscape explore` in headless Chromium over the DevTools protocol
(through --remote-debugging-pipe: standard library only).

Load the page, move a slider, press play, wait for year 5, and check that the
map holds every school, that each chart holds 5 points, that A/B shows two
runs (and their difference), and that the exported TOML passes
`schoolscape check` and reproduces the page's measures with `schoolscape run`.

usage: explore_check.py BINARY WORKDIR [SCREENSHOT.png]
       explore_check.py --speed BINARY SCENARIO YEARS [SCALE]
         (how fast the page runs a scenario at full speed, map and charts drawn each year)
"""
import os
import re
import subprocess
import sys
import time
import tomllib

from cdp import Browser, fail

SPEED = sys.argv[1] == "--speed"
if SPEED:
    BIN, SPEED_SCENARIO, SPEED_YEARS = sys.argv[2], sys.argv[3], int(sys.argv[4])
    SCALE = sys.argv[5] if len(sys.argv) > 5 else "1"
else:
    BIN, WORK = sys.argv[1], sys.argv[2]
    SHOT = sys.argv[3] if len(sys.argv) > 3 else None
    SCALE = "0.5"


def measures_from_run(toml_path, out):
    subprocess.run([BIN, "run", toml_path, "--out", out, "-q", "--no-plots"], check=True)
    got = {}
    with open(os.path.join(out, "metrics.csv")) as f:
        next(f)
        for line in f:
            run_id, year, measure, sub, value = line.rstrip("\n").split(",")
            if run_id == "0":
                got[(int(year), f"{measure}/{sub}")] = float(value) if value else None
    return got


def speed():
    """Time a scenario in the page at full speed."""
    server = subprocess.Popen([BIN, "explore", SPEED_SCENARIO, "--no-open", "--scale", SCALE], stdout=subprocess.PIPE, text=True)
    try:
        url = re.search(r"http://[0-9.:\[\]]+/", server.stdout.readline()).group(0)
        b = Browser()
        t0 = time.time()
        b.open(url + f"#scenario={SPEED_SCENARIO}&seed=1&years={SPEED_YEARS}&scale={SCALE}&speed=21")
        b.wait("window.explorer && explorer.ready && explorer.run && explorer.run.frames.length === 1", "the first year", timeout=300)
        print(f"{SPEED_SCENARIO} at scale {SCALE}: page loaded and first year drawn after {time.time() - t0:.2f} s "
              f"({b.js('explorer.run.static.arms[0].schools.x.length')} schools)")
        slider = "document.getElementById('ctl-admissions-cream-skimming')"
        b.js(f"{slider}.value = 0.2; {slider}.dispatchEvent(new Event('change')); true")
        b.wait("explorer.run && explorer.run.frames.length === 1 && explorer.run.exports[0].command.includes('cream_skimming=0.2')", "the restart", timeout=300)
        print(f"after moving a slider: first year drawn {b.js('explorer.lastFirstFrameMs'):.0f} ms later")
        b.js("document.getElementById('play').click(); true")
        b.wait(f"explorer.run.frames.length === {SPEED_YEARS} && !explorer.playing", f"year {SPEED_YEARS}", timeout=600)
        times = b.js("explorer.run.drawnAt")
        rate = (len(times) - 1) / ((times[-1] - times[0]) / 1000)
        print(f"played years 2 to {SPEED_YEARS}: {rate:.2f} simulated years a second, map and charts drawn each year")
        b.close()
    finally:
        server.send_signal(2)
        server.wait(timeout=30)


if SPEED:
    speed()
    sys.exit(0)

server = subprocess.Popen([BIN, "explore", "market", "--no-open", "--scale", SCALE], stdout=subprocess.PIPE, text=True)
try:
    line = server.stdout.readline()
    m = re.search(r"http://[0-9.:\[\]]+/", line)
    if not m:
        fail(f"no address in {line!r}")
    url = m.group(0) + f"#scenario=market&seed=7&years=5&scale={SCALE}"
    b = Browser()
    t0 = time.time()
    b.open(url)
    b.wait("window.explorer && explorer.ready && explorer.run && explorer.run.frames.length === 1", "the first year")
    print(f"page loaded, first year drawn after {time.time() - t0:.2f} s")

    # Move a slider: the run restarts from year 1 with the new value.
    slider = "document.getElementById('ctl-admissions-cream-skimming')"
    b.js(f"{slider}.value = 0.1; {slider}.dispatchEvent(new Event('input')); {slider}.dispatchEvent(new Event('change')); true")
    b.wait("explorer.run && explorer.run.frames.length === 1 && explorer.run.exports[0].command.includes('cream_skimming=0.1')",
           "the restart after moving the slider")
    if "cream_skimming" not in b.js("location.hash"):
        fail("the address does not hold the slider's value")
    print(f"slider moved, restart shown its first year in {b.js('explorer.lastFirstFrameMs'):.0f} ms")

    b.js("document.getElementById('play').click(); true")
    b.wait("explorer.run.frames.length === 5 && !explorer.playing", "year 5", timeout=120)
    expected_schools = b.js("explorer.run.static.arms[0].schools.x.length")
    exported = b.js("document.getElementById('export-toml-a').value")
    resolved = tomllib.loads(exported)
    if resolved["region"]["schools"] != expected_schools:
        fail(f"the page has {expected_schools} schools, the exported scenario {resolved['region']['schools']}")
    drawn = b.js("explorer.mapDrawnSchools")
    if drawn != expected_schools:
        fail(f"the map shows {drawn} schools, expected {expected_schools}")
    points = b.js("[...document.querySelectorAll('#charts svg:not(.diff)')].map(s => s.querySelectorAll('circle.pt-a').length)")
    if len(points) != 6 or any(p != 5 for p in points):
        fail(f"expected 6 charts of 5 points, found {points}")
    print(f"year 5: map holds {drawn} schools; charts hold {points} points")

    # The exported TOML passes check and `run` reproduces the page's measures.
    toml_path = os.path.join(WORK, "explore-a.toml")
    with open(toml_path, "w") as f:
        f.write(exported)
    subprocess.run([BIN, "check", toml_path], check=True, stdout=subprocess.DEVNULL)
    page = b.js("explorer.run.frames.map(f => [f.year, f.arms[0].m])")
    from_run = measures_from_run(toml_path, os.path.join(WORK, "explore-run-a"))
    compared = 0
    for year, m in page:
        for key, v in m.items():
            if from_run.get((year, key), "missing") != v:
                fail(f"year {year} {key}: page {v}, run {from_run.get((year, key), 'missing')}")
            compared += 1
    if compared != len(from_run):
        fail(f"the page has {compared} measures, run {len(from_run)}")
    print(f"exported TOML checks; run reproduces all {compared} measures of the page")
    if SHOT:
        b.js("document.getElementById('colour').value = 'dis'; true")
        b.screenshot(SHOT)

    # Apply from this year: at year 2, admissions by catchment from year 3 on;
    # the page keeps years 1-2 and `run` of the exported TOML (with its
    # timeline) reproduces all five years.
    b.js("document.getElementById('reset').click(); true")
    b.wait("explorer.run && explorer.run.frames.length === 1 && !explorer.busy", "year 1 after reset")
    b.js("document.getElementById('step').click(); true")
    b.wait("explorer.run.frames.length === 2 && !explorer.busy", "year 2 after a step")
    b.js("document.getElementById('apply-from').click(); true")
    mech = "document.getElementById('ctl-admissions-mechanism')"
    b.js(f"{mech}.value = 'catchment'; {mech}.dispatchEvent(new Event('change')); true")
    b.wait("explorer.run && explorer.run.body.changes && explorer.run.frames.length === 3 && !explorer.busy",
           "year 3 with the change applied")
    kept = b.js("explorer.run.frames.slice(0, 2).map(f => [f.year, f.arms[0].m])")
    if kept != page[:2]:
        fail("applying a change from year 3 altered the years already shown")
    b.js("document.getElementById('play').click(); true")
    b.wait("explorer.run.frames.length === 5 && !explorer.playing", "year 5 after the change", timeout=120)
    exported = b.js("document.getElementById('export-toml-a').value")
    if tomllib.loads(exported).get("timeline", [{}])[0].get("year") != 3:
        fail("the exported TOML has no timeline entry for year 3")
    toml_path = os.path.join(WORK, "explore-apply.toml")
    with open(toml_path, "w") as f:
        f.write(exported)
    applied = b.js("explorer.run.frames.map(f => [f.year, f.arms[0].m])")
    from_run = measures_from_run(toml_path, os.path.join(WORK, "explore-run-apply"))
    for year, m in applied:
        for key, v in m.items():
            if from_run.get((year, key), "missing") != v:
                fail(f"apply from year 3: year {year} {key}: page {v}, run {from_run.get((year, key), 'missing')}")
    if applied[4][1] == page[4][1]:
        fail("the change from year 3 changed nothing by year 5")
    print("apply from this year: years 1-2 kept, the timeline's run reproduces all 5 years")
    # Back to restarts, and A's settings as before.
    b.js("document.getElementById('apply-from').click(); true")
    b.js(f"{mech}.value = explorer.scenarioValues['admissions.mechanism']; {mech}.dispatchEvent(new Event('change')); true")
    b.wait("explorer.run && !explorer.run.body.changes && explorer.run.frames.length === 1 && !('admissions.mechanism' in explorer.sets[0])",
           "the restart without the change")

    # A/B: B without choice (catchment), common random numbers.
    b.js("document.getElementById('ab').click(); true")
    b.wait("explorer.run && explorer.run.static.arms.length === 2", "two runs")
    b.js("document.querySelector('input[name=arm][value=B]').click(); true")
    b.js(f"{mech}.value = 'catchment'; {mech}.dispatchEvent(new Event('change')); true")
    b.wait("explorer.run && explorer.run.frames.length === 1 && explorer.run.exports.length === 2 && explorer.run.exports[1].command.includes('mechanism=catchment')",
           "the A/B restart")
    b.js("document.getElementById('play').click(); true")
    b.wait("explorer.run.frames.length === 5 && !explorer.playing", "year 5 of A/B", timeout=120)
    ab = b.js("""[...document.querySelectorAll('#charts svg:not(.diff)')].map(s => [s.querySelectorAll('circle.pt-a').length, s.querySelectorAll('circle.pt-b').length])""")
    diffs = b.js("[...document.querySelectorAll('#charts svg.diff')].map(s => s.querySelectorAll('circle.pt-d').length)")
    if len(ab) != 6 or any(x != [5, 5] for x in ab) or diffs != [5] * 6:
        fail(f"A/B charts: {ab}, differences {diffs}")
    same_region = b.js("JSON.stringify(explorer.run.static.arms[0].nbhd) === JSON.stringify(explorer.run.static.arms[1].nbhd)")
    if not same_region:
        fail("A and B do not share the region (common random numbers)")
    differ = b.js("explorer.run.frames[4].arms[0].m['first_preference_rate/all'] !== explorer.run.frames[4].arms[1].m['first_preference_rate/all']")
    if not differ:
        fail("B (catchment) shows the same first-preference rate as A")
    a_again = b.js("explorer.run.frames.map(f => [f.year, f.arms[0].m])")
    if a_again != page:
        fail("arm A of the A/B run differs from the run before it")
    print("A/B: two runs of 5 years on one region, their differences charted")
    if SHOT:
        b.screenshot(SHOT.replace(".png", "-ab.png"))
    b.close()
finally:
    server.send_signal(2)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        fail("the server did not stop on Ctrl-C")
if server.returncode != 0:
    fail(f"the server exited with {server.returncode} on Ctrl-C")
print("explore check: ok")

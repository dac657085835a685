#!/usr/bin/env python3
"""Measure tfparse (cloud-custodian's Python bindings to trivy's Go Terraform
evaluator) on tfquote's own Terraform test material.  Written for the ADR
"own pure-Python evaluator vs. tfparse"; results are in
docs/adr/data/tfparse-measurements.md.

Usage (from the repository root, with a Python that has tfparse installed,
e.g. ``python3 -m venv /tmp/tfp && /tmp/tfp/bin/pip install tfparse==0.6.22``)::

    /tmp/tfp/bin/python docs/adr/data/measure_tfparse.py            # everything
    /tmp/tfp/bin/python docs/adr/data/measure_tfparse.py corpus     # 1. differential corpus
    /tmp/tfp/bin/python docs/adr/data/measure_tfparse.py examples   # 2. terraform-aws-modules examples
    /tmp/tfp/bin/python docs/adr/data/measure_tfparse.py hostile    # 3. hostile inputs
    /tmp/tfp/bin/python docs/adr/data/measure_tfparse.py process    # 4. crash / GIL / start-up

Options: ``--out DIR`` (default /tmp/tfparse-measurements) receives one JSON file
per measurement with every per-case result; ``--jobs N`` parallel workers for
the corpus (default: number of CPUs); ``--corpus-root`` overrides
/work/shared/corpus/terraform/terraform-aws-modules.  Nothing is written inside
the repository.  Standard library + tfparse only.

Method
------
* Every tfparse call runs in a fresh child process (``measure_tfparse.py
  _worker``, job as JSON on stdin), because (a) a Go panic aborts the whole
  process (SIGABRT, exit 134), (b) the Go runtime copies the environment when
  the shared library is loaded, so ``TF_VAR_*`` must be set before start-up.
  The child calls the public ``tfparse.load_from_path``; the raw JSON text the
  Go side returned is captured too (by wrapping the ``json`` module tfparse
  uses) so numbers can be checked exactly with ``Decimal``.
* The parent measures wall time, and peak RSS of the child with ``os.wait4``
  (``ru_maxrss``), and polls /proc/<pid>/status so a run can be killed at the
  time limit (30 s for hostile inputs) or at a memory cap (8 GiB).
* 1. corpus: each case's files are written to a temp dir (expression case ->
  ``output "result" { value = <expr> }``), tfparse loads it and the ``output``
  block labelled ``result`` is compared with ``expected``.  tfparse has no
  ``-var``: ``vars`` are passed as ``TF_VAR_<name>`` (the same raw-text channel;
  Terraform gives -var higher precedence than tfvars files, env lower).
  tfparse does not auto-load ``terraform.tfvars`` / ``*.auto.tfvars``; the
  harness passes them in ``vars_paths`` in Terraform's order (terraform.tfvars,
  terraform.tfvars.json, *.auto.tfvars[.json] sorted, then ``var_files``).
  ``workspace`` -> ``workspace_name``.  Run twice: ``stop_on_hcl_error=True``
  and the library default ``False``.
  Scoring: value cases agree when the values are equal (bool is not a number;
  numbers within 1e-9 relative; lists in order; objects by key); "exact" also
  requires the Go JSON number text to equal the recorded Decimal.  Error cases:
  *lenient* = tfparse raised / crashed / produced no ``result`` output / gave
  null / gave an unresolved-reference dict; *strict* = tfparse raised
  ``ParseError`` only.
* 2. examples: the whole repo folder is copied to a temp dir and tfparse runs
  on ``examples/<example>`` (allow_downloads=False, default stop_on_hcl_error).
  tfparse's ``__tfmeta.path`` of blocks with ``__tfmeta.type == "resource"``
  already has Terraform's address form (``module.a["k"].aws_x.y[0]``); it is
  compared with the oracle's address set as strings (whitespace removed).
  Variant "az": data.aws_availability_zones.available.names (11 vpc examples)
  is replaced in the copy by the oracle's answer, the three eu-west-1 zones,
  because tfparse has no hook to be given data-source values.  Instances whose
  count/for_each did not evaluate (tfparse then emits one ``[0]`` instance)
  are counted as "placeholder".
* 3. hostile: each input in its own child with a 30 s limit (8 GiB memory
  cap); inputs that time out are re-run once with 300 s, except
  ``count = 200000``, measured instead at count 1000/2000/5000/10000; the
  nested ``for`` also at 256 and 512.  Module folders are 6 levels below
  /tmp/... so ``../../../../../../etc/passwd`` reaches /etc/passwd.
* 4. process: malformed inputs (exit code / signal), an in-process
  ``try/except BaseException`` around a panicking input, a GIL probe (see
  ``_gil_probe``), and start-up: 5 fresh processes x (import + 3 calls) on a
  3-block config and on terraform-aws-vpc/examples/complete.

Timings depend on machine load; the 1-minute load average before/after each
section is written to meta.json.  Total run time ~20 min on 2 CPUs (the
count = 10000 point alone takes 2-5 min).
"""
import argparse
import decimal
import glob
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
if not os.path.isdir(os.path.join(REPO, "tests", "engine", "terraform")):
    REPO = os.getcwd()  # script copied elsewhere: run it from the repository root
CASES_DIR = os.path.join(REPO, "tests", "engine", "terraform", "differential", "cases")
ORACLE_DIR = os.path.join(REPO, "tests", "engine", "terraform", "examples")
CORPUS_ROOT = "/work/shared/corpus/terraform/terraform-aws-modules"
MEM_CAP = 8 * 1024 ** 3


# --------------------------------------------------------------------------
# child side
# --------------------------------------------------------------------------

def _summarize(result):
    """Small description of a tfparse result (for big/hostile outputs)."""
    out = {"block_types": {k: len(v) for k, v in result.items()}}
    res = [b["__tfmeta"]["path"] for bl in result.values() for b in bl
           if b.get("__tfmeta", {}).get("type") == "resource"]
    out["resource_instances"] = len(res)
    out["resource_addresses_head"] = res[:3]
    outs = {}
    for b in result.get("output", []):
        v = b.get("value", "<missing>")
        s = json.dumps(v, default=str)
        outs[b["__tfmeta"]["label"]] = {"pytype": type(v).__name__,
                                        "len": len(v) if hasattr(v, "__len__") else None,
                                        "json_len": len(s), "head": s[:160]}
    out["outputs"] = outs
    loc = {}
    for b in result.get("locals", []):
        for k, v in b.items():
            if k in ("__tfmeta", "id"):
                continue
            s = json.dumps(v, default=str)
            loc[k] = {"pytype": type(v).__name__, "json_len": len(s), "head": s[:160], "value": v if isinstance(v, str) and len(v) < 20000 else None}
    out["locals"] = loc
    return out


def worker():
    """Run one job (JSON on stdin) and print one JSON line on stdout."""
    job = json.loads(sys.stdin.read())
    t0 = time.perf_counter()
    import tfparse
    t_import = time.perf_counter() - t0
    raw = []
    real_json = tfparse.json

    class _Capture:  # tfparse does `json.loads(ret_json)`; keep the Go text too
        def loads(self, s, *a, **kw):
            raw.append(s)
            return real_json.loads(s, *a, **kw)
    tfparse.json = _Capture()
    kw = dict(stop_on_hcl_error=job.get("stop_on_hcl_error", False),
              allow_downloads=False,
              workspace_name=job.get("workspace", "default"),
              vars_paths=job.get("vars_paths") or None)
    rep = {"t_import": t_import, "calls": []}
    if job.get("mode") == "gil":
        rep.update(_gil_probe(tfparse, job["path"], kw))
        print(json.dumps(rep))
        return
    for _ in range(job.get("repeat", 1)):
        raw.clear()
        t1 = time.perf_counter()
        try:
            res = tfparse.load_from_path(job["path"], **kw)
            err = None
        except tfparse.ParseError as e:
            res, err = None, str(e)
        rep["calls"].append(time.perf_counter() - t1)
    rep["error"] = err
    rep["ok"] = err is None
    if res is not None:
        if job.get("summary"):
            rep["summary"] = _summarize(res)
        else:
            rep["raw"] = raw[0].decode("utf-8") if isinstance(raw[0], bytes) else raw[0]
    import resource
    rep["self_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(json.dumps(rep))
    sys.stdout.flush()


def _gil_probe(tfparse, path, kw):
    """Does load_from_path release the GIL?  The main thread runs the same
    pure-Python loop (``while t.is_alive(): n += 1``) while another thread
    (a) sleeps 1 s (GIL free: baseline rate) or (b) runs load_from_path; if the
    call held the GIL the loop would make ~0 progress during it.  Also: CPU
    time of one call (the Go runtime uses >1 core: GC), and 2 calls sequential
    vs. in 2 threads."""
    def loop_rate(target):
        th = threading.Thread(target=target)
        t = time.perf_counter(); th.start(); n = 0
        while th.is_alive():
            n += 1
        el = time.perf_counter() - t
        th.join()
        return n / el, el
    tfparse.load_from_path(path, **kw)  # warm-up
    c0, t = os.times(), time.perf_counter()
    tfparse.load_from_path(path, **kw)
    single, c1 = time.perf_counter() - t, os.times()
    idle_rate, _ = loop_rate(lambda: time.sleep(1.0))
    busy_rate, busy = loop_rate(lambda: tfparse.load_from_path(path, **kw))
    t = time.perf_counter(); tfparse.load_from_path(path, **kw); tfparse.load_from_path(path, **kw); seq = time.perf_counter() - t
    ths = [threading.Thread(target=tfparse.load_from_path, args=(path,), kwargs=kw) for _ in range(2)]
    t = time.perf_counter()
    for x in ths:
        x.start()
    for x in ths:
        x.join()
    par = time.perf_counter() - t
    return {"single_call_s": single, "single_call_cpu_s": (c1.user + c1.system) - (c0.user + c0.system),
            "loop_rate_gil_free_per_s": idle_rate, "loop_rate_during_call_per_s": busy_rate,
            "call_in_thread_while_looping_s": busy,
            "two_calls_sequential_s": seq, "two_calls_two_threads_s": par}


# --------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------

def run_worker(job, env_extra=None, timeout=60.0, mem_cap=MEM_CAP):
    """Run a job in a fresh child; returns dict with status, wall, maxrss."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_")}
    env.update(env_extra or {})
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "_worker"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    bufs = {}

    def pump(name, f):
        bufs[name] = f.read()
    readers = [threading.Thread(target=pump, args=(n, f)) for n, f in (("out", p.stdout), ("err", p.stderr))]
    for r in readers:
        r.start()
    p.stdin.write(json.dumps(job).encode()); p.stdin.close()
    killed, peak_seen = None, 0
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        try:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        peak_seen = max(peak_seen, int(line.split()[1]) * 1024)
        except OSError:
            pass
        if killed is None and time.perf_counter() - t0 > timeout:
            killed = "timeout"; p.kill()
        elif killed is None and peak_seen > mem_cap:
            killed = "memory-cap"; p.kill()
        time.sleep(0.005 if time.perf_counter() - t0 < 1 else 0.05)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    out, err = bufs.get("out", b""), bufs.get("err", b"")
    rep = {"wall_s": wall, "maxrss_bytes": ru.ru_maxrss * 1024, "exit": p.returncode,
           "killed": killed, "stderr_head": err[:600].decode("utf-8", "replace")}
    if p.returncode < 0:
        rep["signal"] = signal.Signals(-p.returncode).name
    if p.returncode == 0 and out:
        rep.update(json.loads(out))
        rep["status"] = "ok" if rep.get("ok", True) else "raised"
    else:
        rep["status"] = killed or ("crash" if p.returncode else "no-output")
    return rep


def tfparse_version():
    from importlib.metadata import version
    return version("tfparse")


# ---------------------------------------------------------------- corpus ---

def _load_cases():
    cases = []
    for f in sorted(glob.glob(os.path.join(CASES_DIR, "*.json"))):
        with open(f) as fh:
            cases.extend(json.load(fh, parse_float=Decimal))
    if not cases:
        sys.exit("no cases under %s (run from the repository root)" % CASES_DIR)
    return cases


def _auto_tfvars(files):
    names = list(files)
    out = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    out += sorted(n for n in names if "/" not in n and (n.endswith(".auto.tfvars") or n.endswith(".auto.tfvars.json")))
    return out


def _prepare_case(case, root):
    d = os.path.join(root, case["id"])
    os.makedirs(d)
    if "expr" in case:
        files = {"main.tf": 'output "result" {\n  value = %s\n}\n' % case["expr"]}
    else:
        files = case["files"]
    for name, text in files.items():
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    # tfparse joins vars_paths onto the module path: pass them relative to it
    vp = _auto_tfvars(files) + list(case.get("var_files", []))
    env = dict(case.get("env", {}))
    for k, v in (case.get("vars") or {}).items():
        env["TF_VAR_" + k] = v
    return d, vp, env


def _is_num(x):
    return isinstance(x, (int, float, Decimal)) and not isinstance(x, bool)


def values_equal(exp, got, exact=False):
    if exp is None or got is None:
        return exp is None and got is None
    if isinstance(exp, bool) or isinstance(got, bool):
        return isinstance(exp, bool) and isinstance(got, bool) and exp == got
    if _is_num(exp):
        if not _is_num(got):
            return False
        a, b = Decimal(exp), Decimal(str(got)) if isinstance(got, float) else Decimal(got)
        if exact:
            return a == b
        if a == b:
            return True
        return abs(a - b) <= Decimal("1e-9") * max(abs(a), abs(b))
    if isinstance(exp, str):
        return isinstance(got, str) and exp == got
    if isinstance(exp, list):
        return isinstance(got, list) and len(exp) == len(got) and all(values_equal(x, y, exact) for x, y in zip(exp, got))
    if isinstance(exp, dict):
        return isinstance(got, dict) and set(exp) == set(got) and all(values_equal(exp[k], got[k], exact) for k in exp)
    return False


def _has_unknown(v):
    if isinstance(v, dict):
        if "__attribute__" in v or "__ref__" in v:
            return True
        return any(_has_unknown(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_unknown(x) for x in v)
    return False


def _score_case(case, rep):
    exp = case["expected"]
    r = {"id": case["id"], "category": case["category"], "status": rep["status"], "exit": rep["exit"]}
    got = got_exact = None
    outcome = rep["status"]  # raised / crash / timeout / ok
    if rep["status"] == "ok":
        doc_f = json.loads(rep["raw"])                          # what load_from_path returns
        doc_d = json.loads(rep["raw"], parse_float=Decimal)     # same text, exact numbers
        blk = [b for b in doc_f.get("output", []) if b["__tfmeta"].get("label") == "result" and b["__tfmeta"]["path"] == "output.result"]
        blk_d = [b for b in doc_d.get("output", []) if b["__tfmeta"].get("label") == "result" and b["__tfmeta"]["path"] == "output.result"]
        if not blk:
            outcome = "no-result-output"
        elif "value" not in blk[0]:
            outcome = "no-value"
        else:
            got, got_exact = blk[0]["value"], blk_d[0]["value"]
            outcome = "null" if got is None else ("unknown-ref" if _has_unknown(got) else "value")
    r["outcome"] = outcome
    r["got"] = json.dumps(got, default=str)[:300] if outcome in ("value", "unknown-ref", "null") else (rep.get("error") or rep.get("stderr_head") or "")[:300]
    if "error" in exp:
        r["kind"] = "error"
        r["lenient"] = outcome in ("raised", "crash", "timeout", "no-result-output", "no-value", "null", "unknown-ref")
        r["strict"] = outcome == "raised"
        r["exact"] = r["strict"]
    else:
        r["kind"] = "value"
        ok = outcome in ("value", "null") and values_equal(exp["value"], got)
        r["lenient"] = r["strict"] = ok
        r["exact"] = ok and values_equal(exp["value"], got_exact, exact=True)
    return r


def corpus(args):
    from concurrent.futures import ThreadPoolExecutor
    cases = _load_cases()
    tmp = tempfile.mkdtemp(prefix="tfparse-corpus-")
    prepared = {c["id"]: _prepare_case(c, tmp) for c in cases}
    results = {}
    for stop in (True, False):
        done = []

        def one(c):
            d, vp, env = prepared[c["id"]]
            rep = run_worker({"path": d, "vars_paths": vp, "workspace": c.get("workspace", "default"),
                              "stop_on_hcl_error": stop}, env_extra=env, timeout=30)
            done.append(1)
            if len(done) % 100 == 0:
                print("  %d/%d cases" % (len(done), len(cases)), file=sys.stderr)
            return _score_case(c, rep)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.jobs) as ex:
            rows = list(ex.map(one, cases))
        results["stop_on_hcl_error=%s" % stop] = {"rows": rows, "wall_s": time.perf_counter() - t0}
        print("corpus stop_on_hcl_error=%s done in %.0fs" % (stop, time.perf_counter() - t0), file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    summary = {}
    for mode, data in results.items():
        summary[mode] = _corpus_table(data["rows"])
    _dump(args, "corpus", {"summary": summary, "results": results})
    _print_corpus(summary)
    return summary


def _corpus_table(rows):
    cats = sorted({r["category"] for r in rows})
    table = {}
    for cat in cats + ["ALL"]:
        rs = [r for r in rows if cat == "ALL" or r["category"] == cat]
        v = [r for r in rs if r["kind"] == "value"]
        e = [r for r in rs if r["kind"] == "error"]
        table[cat] = {"n": len(rs), "value_n": len(v), "value_agree": sum(r["strict"] for r in v),
                      "value_exact": sum(r["exact"] for r in v),
                      "error_n": len(e), "error_lenient": sum(r["lenient"] for r in e), "error_strict": sum(r["strict"] for r in e),
                      "lenient": sum(r["lenient"] for r in rs), "strict": sum(r["strict"] for r in rs),
                      "exact": sum(r["exact"] for r in rs)}
    from collections import Counter
    table["_outcomes"] = {k: dict(Counter(r["outcome"] for r in rows if r["kind"] == k)) for k in ("value", "error")}
    table["_value_miss_outcomes"] = dict(Counter(r["outcome"] for r in rows if r["kind"] == "value" and not r["strict"]))
    table["_crashes"] = [r["id"] for r in rows if r["status"] in ("crash", "timeout")]
    return table


def _print_corpus(summary):
    for mode, t in summary.items():
        print("\n== corpus, %s" % mode)
        print("%-13s %5s | %-16s %-10s | %-18s %-18s | %-9s %-9s" % ("category", "n", "value agree", "exact", "error lenient", "error strict", "lenient%", "strict%"))
        for cat, x in t.items():
            if cat.startswith("_"):
                continue
            print("%-13s %5d | %4d/%-4d %5.1f%% %4d      | %4d/%-4d %5.1f%%  %4d/%-4d %5.1f%% | %7.1f%% %7.1f%%" % (
                cat, x["n"], x["value_agree"], x["value_n"], 100.0 * x["value_agree"] / max(1, x["value_n"]), x["value_exact"],
                x["error_lenient"], x["error_n"], 100.0 * x["error_lenient"] / max(1, x["error_n"]),
                x["error_strict"], x["error_n"], 100.0 * x["error_strict"] / max(1, x["error_n"]),
                100.0 * x["lenient"] / x["n"], 100.0 * x["strict"] / x["n"]))
        print("outcomes:", t["_outcomes"], "\nvalue-case misses:", t["_value_miss_outcomes"], "\ncrashes/timeouts:", t["_crashes"])


# -------------------------------------------------------------- examples ---

def _norm(addr):
    return "".join(addr.split())


def _base(addr):
    """module.a["k"].aws_x.y[0] -> module.a.aws_x.y (instance keys removed)."""
    out, depth = [], 0
    for ch in addr:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


AZ_NAMES = "data.aws_availability_zones.available.names"
AZ_LITERAL = '["eu-west-1a", "eu-west-1b", "eu-west-1c"]'   # the oracle's answer (all these examples are eu-west-1)


def _unresolved(v):
    return v is None or (isinstance(v, dict) and ("__attribute__" in v or "__ref__" in v))


def _example_run(exdir, oracle):
    vp = _auto_tfvars(os.listdir(exdir))  # relative to the module path
    rep = run_worker({"path": exdir, "vars_paths": vp, "repeat": 2}, timeout=120)
    expected = {_norm(a) for a in oracle["resources"]}
    dod = {_base(_norm(a)) for a in oracle.get("depends_on_data", {})}
    row = {"status": rep["status"], "expected": len(expected),
           "wall_s": rep["wall_s"], "first_call_s": (rep.get("calls") or [None])[0],
           "second_call_s": (rep.get("calls") or [None, None])[-1], "maxrss_mb": rep["maxrss_bytes"] / 2 ** 20}
    if rep["status"] != "ok":
        row.update({"got": 0, "found": 0, "missing": sorted(expected), "phantom": [], "exact": False,
                    "placeholder_found": 0, "error": (rep.get("error") or rep.get("stderr_head") or "")[:400]})
        return row
    doc = json.loads(rep["raw"])
    blocks = [b for bl in doc.values() for b in bl
              if isinstance(b, dict) and b.get("__tfmeta", {}).get("type") == "resource"]
    got = [_norm(b["__tfmeta"]["path"]) for b in blocks]
    # instances emitted although count/for_each did not evaluate (tfparse then emits one instance)
    placeholder = {_norm(b["__tfmeta"]["path"]) for b in blocks
                   if ("count" in b and _unresolved(b["count"])) or ("for_each" in b and _unresolved(b["for_each"]))}
    gotset = set(got)
    found = expected & gotset
    extra = gotset - expected
    phantom_dod = {a for a in extra if _base(a) in dod}
    phantom = extra - phantom_dod
    missing = expected - gotset
    row.update({"got": len(gotset), "duplicates": len(got) - len(gotset), "found": len(found),
                "placeholder_found": len(found & placeholder), "placeholder_all": sorted(placeholder),
                "missing": sorted(missing), "phantom": sorted(phantom), "phantom_in_depends_on_data": sorted(phantom_dod),
                "missing_whole_resource": sorted(a for a in missing if _base(a) not in {_base(g) for g in gotset}),
                "exact": gotset == expected})
    return row


def examples(args):
    """Variant "as-is": the example folder unchanged.  Variant "az": the copy's
    data.aws_availability_zones.available.names is replaced by the oracle's
    answer (tfparse has no way to be given data-source values, so tfquote would
    have to rewrite the source like this)."""
    out = {}
    tmp = tempfile.mkdtemp(prefix="tfparse-examples-")
    for variant in ("as-is", "az"):
        rows = []
        for f in sorted(glob.glob(os.path.join(ORACLE_DIR, "*", "*.json"))):
            repo, ex = os.path.basename(os.path.dirname(f)), os.path.splitext(os.path.basename(f))[0]
            with open(f) as fh:
                oracle = json.load(fh)
            dst = os.path.join(tmp, variant, repo)
            if not os.path.exists(dst):
                shutil.copytree(os.path.join(args.corpus_root, repo), dst, symlinks=True)
            exdir = os.path.join(dst, "examples", ex)
            rewritten = False
            if variant == "az":
                for tf in glob.glob(os.path.join(exdir, "*.tf")):
                    with open(tf) as fh:
                        text = fh.read()
                    if AZ_NAMES in text:
                        with open(tf, "w") as fh:
                            fh.write(text.replace(AZ_NAMES, AZ_LITERAL))
                        rewritten = True
                if not rewritten:
                    continue
            row = {"example": "%s/%s" % (repo, ex), "az_rewritten": rewritten}
            row.update(_example_run(exdir, oracle))
            rows.append(row)
            print("%-6s %-50s %-6s exp %4d found %4d (placeholder %3d) phantom %3d  %.2fs" % (
                variant, row["example"], row["status"], row["expected"], row["found"], row["placeholder_found"],
                len(row["phantom"]), row["wall_s"]), file=sys.stderr)
        tot = {"examples": len(rows), "exact": sum(r["exact"] for r in rows), "expected": sum(r["expected"] for r in rows),
               "found": sum(r["found"] for r in rows), "placeholder_found": sum(r["placeholder_found"] for r in rows),
               "phantom": sum(len(r["phantom"]) for r in rows),
               "phantom_in_depends_on_data": sum(len(r.get("phantom_in_depends_on_data", [])) for r in rows),
               "failed_runs": sum(r["status"] != "ok" for r in rows),
               "wall_s_total": sum(r["wall_s"] for r in rows),
               "first_call_s_median": sorted(r["first_call_s"] or 0 for r in rows)[len(rows) // 2],
               "first_call_s_max": max(r["first_call_s"] or 0 for r in rows),
               "second_call_s_median": sorted(r["second_call_s"] or 0 for r in rows)[len(rows) // 2],
               "maxrss_mb_max": max(r["maxrss_mb"] for r in rows)}
        out[variant] = {"total": tot, "rows": rows}
        print(variant, json.dumps(tot, indent=1))
    shutil.rmtree(tmp, ignore_errors=True)
    _dump(args, "examples", out)
    return out


# --------------------------------------------------------------- hostile ---

def _write(d, files):
    for name, text in files.items():
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        mode = "wb" if isinstance(text, bytes) else "w"
        with open(p, mode) as fh:
            fh.write(text)


def hostile_cases():
    nest = "[" * 200 + "1" + "]" * 200
    chunk = "x" * 990 + "${local.v}"          # 1000 bytes of template
    tpl = '"' + chunk * 1049 + '"'                # ~1 MiB template string
    return [
        ("count = 200000", {"main.tf": 'resource "aws_instance" "x" {\n  count = 200000\n  ami = "ami-${count.index}"\n}\n'}, None),
        ("module calls itself (source = \"./\")", {"main.tf": 'module "self" {\n  source = "./"\n}\nresource "aws_s3_bucket" "b" {}\n'}, None),
        ("200 nested [[[...]]]", {"main.tf": 'output "result" {\n  value = %s\n}\n' % nest}, None),
        ("file(\"../../../../../../etc/passwd\") in a local", {"main.tf": 'locals {\n  p = file("../../../../../../etc/passwd")\n}\noutput "result" {\n  value = local.p\n}\n'}, "/etc/passwd"),
        ("file(\"/etc/hostname\") in a local", {"main.tf": 'locals {\n  h = file("/etc/hostname")\n}\noutput "result" {\n  value = local.h\n}\n'}, "/etc/hostname"),
        ("file(\"${path.module}/../../../../../../etc/passwd\")", {"main.tf": 'locals {\n  p = file("${path.module}/../../../../../../etc/passwd")\n}\noutput "result" {\n  value = local.p\n}\n'}, "/etc/passwd"),
        ("1024 x 1024 nested for", {"main.tf": 'output "result" {\n  value = [for i in range(1024) : [for j in range(1024) : i * j]]\n}\n'}, None),
        ("1 MB template string", {"main.tf": 'locals {\n  v = "y"\n  t = %s\n}\noutput "result" {\n  value = length(local.t)\n}\n' % tpl}, None),
        ("symlink etc -> /etc in the folder", {"main.tf": 'locals {\n  h = file("etc/hostname")\n}\noutput "result" {\n  value = local.h\n}\nmodule "m" {\n  source = "./etc"\n}\n', "@symlink etc": "/etc"}, "/etc/hostname"),
    ]


def scaling_cases():
    """Smaller sizes of the two size-driven hostile inputs, to see the growth."""
    out = []
    for n in (1000, 2000, 5000, 10000):
        out.append(("count = %d" % n, {"main.tf": 'resource "aws_instance" "x" {\n  count = %d\n  ami = "ami-${count.index}"\n}\n' % n}, None))
    for n in (256, 512):
        out.append(("%d x %d nested for" % (n, n), {"main.tf": 'output "result" {\n  value = [for i in range(%d) : [for j in range(%d) : i * j]]\n}\n' % (n, n)}, None))
    return out


EXTENDED_LIMIT = 300.0


def hostile(args):
    """Each input once with the 30 s limit; inputs that time out are re-run once
    with a 300 s limit (8 GiB memory cap) to see whether they finish, except
    count = 200000 whose growth is measured on smaller counts instead."""
    rows = []
    tmp = tempfile.mkdtemp(prefix="tfparse-hostile-")
    runs = [(n, f, h, 30.0, "hostile") for n, f, h in hostile_cases()]
    runs += [(n, f, h, EXTENDED_LIMIT, "scaling") for n, f, h in scaling_cases()]
    i = 0
    while i < len(runs):
        name, files, hostfile, limit, kind = runs[i]
        files = dict(files)
        d = os.path.join(tmp, "a", "b", "c", "case%d" % i)   # deep enough for ../../../.. to reach /
        os.makedirs(d)
        for k in [k for k in files if k.startswith("@symlink ")]:
            os.symlink(files.pop(k), os.path.join(d, k.split(" ", 1)[1]))
        _write(d, files)
        rep = run_worker({"path": d, "summary": True}, timeout=limit)
        if kind == "hostile" and rep["status"] == "timeout" and name != "count = 200000":
            runs.append((name, runs[i][1], hostfile, EXTENDED_LIMIT, "extended"))
        i += 1
        row = {"case": name, "kind": kind, "limit_s": limit, "status": rep["status"], "exit": rep["exit"], "signal": rep.get("signal"),
               "wall_s": round(rep["wall_s"], 3), "call_s": (rep.get("calls") or [None])[0],
               "peak_rss_mb": round(rep["maxrss_bytes"] / 2 ** 20, 1), "killed": rep["killed"],
               "error": (rep.get("error") or "")[:300], "stderr_head": rep["stderr_head"][:300]}
        s = rep.get("summary")
        if s:
            row["resource_instances"] = s["resource_instances"]
            row["resource_addresses_head"] = s["resource_addresses_head"]
            row["block_types"] = s["block_types"]
            row["result"] = s["outputs"].get("result")
            if hostfile:
                try:
                    with open(hostfile) as fh:
                        host = fh.read()
                except OSError:
                    host = None
                vals = [l.get("value") for l in s["locals"].values()]
                row["returned_host_file_content"] = host is not None and host in vals
        rows.append(row)
        print(json.dumps(row)[:600], file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    _dump(args, "hostile", rows)
    return rows


# --------------------------------------------------------------- process ---

MALFORMED = [
    ("invalid UTF-8", {"main.tf": b'output "result" {\n  value = "\xff\xfe\xc3("\n}\n'}),
    ("unterminated heredoc", {"main.tf": 'output "result" {\n  value = <<EOT\nabc\n'}),
    ("${ unterminated in string", {"main.tf": 'output "result" {\n  value = "${"\n}\n'}),
    ("${ as bare expression", {"main.tf": 'output "result" {\n  value = ${1}\n}\n'}),
    ("${ in a block label", {"main.tf": 'resource "aws_${x}" "b" {\n}\n'}),
    ("${ in an attribute name", {"main.tf": 'locals {\n  "${a}" = 1\n}\n'}),
    ("NUL bytes", {"main.tf": b'output "result" {\n  value = "a\x00b"\n}\n\x00\x00'}),
    ("binary garbage .tf", {"main.tf": bytes(range(256)) * 4}),
    ("truncated .tf.json", {"main.tf.json": '{"output": {"result": {"value": '}),
    ("100000 nested (", {"main.tf": 'output "result" {\n  value = ' + "(" * 100000 + "1" + ")" * 100000 + '\n}\n'}),
    ("count = \"abc\"", {"main.tf": 'resource "a" "b" {\n  count = "abc"\n}\n'}),
    ("locals cycle", {"main.tf": 'locals {\n  a = local.b\n  b = local.a\n}\noutput "result" {\n  value = local.a\n}\n'}),
    ("dynamic for_each = 5", {"main.tf": 'resource "a" "b" {\n  dynamic "x" {\n    for_each = 5\n    content {\n      y = x.value\n    }\n  }\n}\n'}),
    ("dynamic for_each = a string variable", {"main.tf": 'variable "s" {\n  default = "abc"\n}\nresource "a" "b" {\n  dynamic "x" {\n    for_each = var.s\n    content {\n      y = x.value\n    }\n  }\n}\n'}),
    ("dynamic for_each = true", {"main.tf": 'resource "a" "b" {\n  dynamic "x" {\n    for_each = true\n    content {}\n  }\n}\n'}),
]


def process(args):
    out = {}
    tmp = tempfile.mkdtemp(prefix="tfparse-process-")
    # (a) malformed inputs: exit code / signal with both stop_on_hcl_error values
    rows = []
    for i, (name, files) in enumerate(MALFORMED):
        d = os.path.join(tmp, "m%d" % i)
        os.makedirs(d)
        _write(d, files)
        for stop in (False, True):
            rep = run_worker({"path": d, "summary": True, "stop_on_hcl_error": stop}, timeout=30)
            first = rep["stderr_head"].strip().splitlines()[:1]
            rows.append({"case": name, "stop_on_hcl_error": stop, "status": rep["status"], "exit": rep["exit"],
                         "signal": rep.get("signal"), "wall_s": round(rep["wall_s"], 3),
                         "error": (rep.get("error") or "")[:200], "stderr_first_line": first[0][:200] if first else "",
                         "result": (rep.get("summary") or {}).get("outputs", {}).get("result"),
                         "block_types": (rep.get("summary") or {}).get("block_types")})
            print(json.dumps(rows[-1])[:400], file=sys.stderr)
    out["malformed"] = rows
    # (b) can Python catch it?  one in-process attempt with try/except BaseException
    d = os.path.join(tmp, "m12")
    code = ("import tfparse,sys\ntry:\n    tfparse.load_from_path(%r)\nexcept BaseException as e:\n    print('caught', type(e).__name__)\n"
            "print('python continued')\n" % d)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    out["catch_attempt"] = {"exit": p.returncode, "stdout": p.stdout, "stderr_first_line": p.stderr.splitlines()[0] if p.stderr else ""}
    # (c) GIL: a call of ~2 s (count = 1500; count cost grows ~quadratically) in a thread
    d = os.path.join(tmp, "gil")
    os.makedirs(d)
    _write(d, {"main.tf": 'resource "aws_instance" "x" {\n  count = 1500\n  ami = "ami-${count.index}"\n}\n'})
    out["gil"] = run_worker({"path": d, "mode": "gil"}, timeout=300)
    # (d) start-up: import and first/second call, 5 fresh processes, small config and a real example
    small = os.path.join(tmp, "small")
    os.makedirs(small)
    _write(small, {"main.tf": 'variable "n" {\n  default = 2\n}\nresource "aws_instance" "x" {\n  count = var.n\n}\noutput "result" {\n  value = [for i in range(3) : i * 2]\n}\n'})
    startup = {}
    targets = {"small (3 blocks)": small}
    real = os.path.join(args.corpus_root, "terraform-aws-vpc")
    if os.path.isdir(real):
        shutil.copytree(real, os.path.join(tmp, "vpc"), symlinks=True)
        targets["terraform-aws-vpc/examples/complete"] = os.path.join(tmp, "vpc", "examples", "complete")
    for label, path in targets.items():
        runs = []
        for _ in range(5):
            rep = run_worker({"path": path, "summary": True, "repeat": 3}, timeout=120)
            runs.append({"process_wall_s": rep["wall_s"], "import_s": rep["t_import"], "calls_s": rep["calls"],
                         "maxrss_mb": rep["maxrss_bytes"] / 2 ** 20})
        startup[label] = runs
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    startup["bare_python_start_s"] = time.perf_counter() - t0
    out["startup"] = startup
    shutil.rmtree(tmp, ignore_errors=True)
    _dump(args, "process", out)
    print(json.dumps({k: v for k, v in out.items() if k != "malformed"}, indent=1, default=str))
    return out


# ------------------------------------------------------------------ main ---

def _dump(args, name, data):
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, name + ".json"), "w") as fh:
        json.dump(data, fh, indent=1, default=str)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        return worker()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", nargs="*", help="corpus, examples, hostile, process (default: all)")
    ap.add_argument("--out", default="/tmp/tfparse-measurements")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--corpus-root", default=CORPUS_ROOT)
    args = ap.parse_args()
    allowed = ["corpus", "examples", "hostile", "process"]
    args.what = args.what or allowed
    if set(args.what) - set(allowed):
        ap.error("choose from %s" % ", ".join(allowed))
    meta = {"tfparse": tfparse_version(), "python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    print(json.dumps(meta), file=sys.stderr)
    _dump(args, "meta", meta)
    meta["loadavg"] = {}
    for what in args.what:
        before = os.getloadavg()
        t0 = time.perf_counter()
        globals()[what](args)
        meta["loadavg"][what] = {"before": before, "after": os.getloadavg(), "wall_s": time.perf_counter() - t0}
        _dump(args, "meta", meta)  # timings are noisy on a shared host: keep the load next to them


if __name__ == "__main__":
    main()

"""Writes test/reports/timm-configs.json from the results of run_diff.py (see README.md here).

Keeps, once per one-line spec: the configurations timm 0.9.16 builds, with timm's parameter
count, MAC count and output shape; and the configurations timm refuses, with timm's error, for
which vitc must report an error too. Left out: configurations timm builds that vitc refuses on
purpose (DESIGN.md asks for errors where timm pads or floors: a Swin window not dividing a
stage, a patch not dividing the image, ...) and ones only torch itself refuses at run time
(GroupNorm over one value per group). Usage: python export.py OUT_DIR... > ../../test/reports/timm-configs.json
"""
import json
import sys

built, refused, seen = [], [], set()
for out_dir in sys.argv[1:]:
    for row in json.load(open(f"{out_dir}/results.json")):
        line, timm, status = row["line"], row["timm"], row["status"]
        if status in ("VITC_REJECTS_TIMM_ACCEPTS", "VITC_ACCEPTS_TIMM_REJECTS"):
            continue
        spec = line.split(" = ", 1)[1]
        if spec in seen:
            continue
        seen.add(spec)
        if timm.get("ok"):
            built.append({"family": row["family"], "spec": spec, "params": timm["params"], "macs": timm["macs"]["total"], "output": timm["output"][1:]})
        else:
            refused.append({"family": row["family"], "spec": spec, "timm_error": timm.get("error", "")[:200]})
json.dump({"about": "timm 0.9.16 (torch 2.13 CPU) on random and corner-case configurations: scripts/timm-configs", "built": built, "refused": refused}, sys.stdout, indent=1)
print()

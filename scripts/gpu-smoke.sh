#!/usr/bin/env bash
# The H100 smoke test (the team notes, shared/notes/gpu-backends.md) in one command, on a lent GPU machine
# that has this checkout and the .gpu-carry/ made by scripts/make-gpu-carry.sh:
#   device run (carry .gpu-carry): bash scripts/gpu-smoke.sh
# Unpacks Node, the app bundle and the Vulkan/EGL loaders into a private prefix, shows the
# driver's ICD, then runs scripts/gpu-smoke.mjs on Dawn's Vulkan backend.
set -euo pipefail
C=$PWD/.gpu-carry
W=/tmp/vitc-gpu
OUT=${OUT:-$W/out}
mkdir -p "$W/root" "$OUT"
for f in "$C"/*.deb; do dpkg -x "$f" "$W/root"; done
L=$W/root/usr/lib/x86_64-linux-gnu
ln -sf libEGL.so.1 "$L/libEGL.so"
export LD_LIBRARY_PATH=$L:/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}
xz -dc "$C/node.xz" > "$W/node"
chmod +x "$W/node"
tar -C "$W" -xJf "$C/app.tar.xz"
nvidia-smi -L | tee "$OUT/nvidia-smi.txt" || true
ICD=$(ls /usr/local/nvidia/share/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json 2>/dev/null | head -1 || true)
echo "Vulkan ICD: ${ICD:-none found}" | tee "$OUT/icd.txt"
export VK_DRIVER_FILES=$ICD VK_ICD_FILENAMES=$ICD
cd "$W/app"
OUT=$OUT "$W/node" scripts/gpu-smoke.mjs 2>&1 | tee "$OUT/gpu-smoke.txt"

#!/usr/bin/env bash
# Stages what scripts/gpu-smoke.sh needs on a bare GPU machine into .gpu-carry/ (git-ignored,
# ~40 MB): this machine's Node (xz), the built app with a pruned node_modules, the fixtures,
# and the Debian Vulkan/EGL loader packages.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
rm -rf .gpu-carry && mkdir -p .gpu-carry
S=$(mktemp -d)
mkdir -p "$S/app"
cp -r dist specs scripts package.json "$S/app/"
mkdir -p "$S/app/test" && cp -r test/parity "$S/app/test/"
cp -r test/fixtures/timm "$S/app/fixtures"
cp -r node_modules "$S/app/node_modules"
rm -rf "$S/app/node_modules/webgpu/dist/"{win32-*,darwin-*,linux-arm64} "$S/app/node_modules/"{vitest,@vitest,typescript,fast-check,vite,rollup,@rollup,esbuild,@esbuild} 2>/dev/null || true
tar -C "$S" -cJf .gpu-carry/app.tar.xz app
xz -9 -T2 -c "$(readlink -f "$(command -v node)")" > .gpu-carry/node.xz
(cd .gpu-carry && apt-get download libvulkan1 libegl1 libglvnd0 >/dev/null)
rm -rf "$S"
du -sh .gpu-carry/*

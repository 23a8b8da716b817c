#!/usr/bin/env bash
# Builds .gpukit/: a self-contained folder that runs bench/gpu.ts on a machine with a GPU but
# without this repository's node_modules (or Node): an esbuild bundle of bench/gpu.ts, Dawn's
# dawn.node where the bundled `webgpu` package looks for it (dist/linux-x64/ next to the bundle),
# this machine's node binary (xz-compressed), the Vulkan loader and the GL dispatch libraries that
# NVIDIA's Vulkan driver (libGLX_nvidia.so.0) needs (Debian amd64 .debs; device machines lack them).
#
#   scripts/gpu-kit.sh            # build
#   .gpukit/run.sh ARGS...        # on the GPU machine: unpack once, then node gpu.mjs ARGS...
#   GPUKIT_MAIN=kernel-check.mjs .gpukit/run.sh   # the kernels' correctness check instead
#
# The folder is ignored through .git/info/exclude, not .gitignore (it is a local artefact).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kit="$root/.gpukit"
cd "$root"
grep -qxF '/.gpukit/' .git/info/exclude 2>/dev/null || echo '/.gpukit/' >> .git/info/exclude
mkdir -p "$kit"
# Keep a compressed node that is newer than the binary (xz -9 of ~100 MB takes minutes).
find "$kit" -mindepth 1 -maxdepth 1 ! -name node.xz -exec rm -rf {} +
mkdir -p "$kit/dist/linux-x64" "$kit/gl"

node -e "
require('esbuild').build({
  entryPoints: { gpu: 'bench/gpu.ts', 'kernel-check': 'bench/gpu/kernel-check.ts' },
  bundle: true, platform: 'node', format: 'esm', target: 'node20',
  outdir: '.gpukit', outExtension: { '.js': '.mjs' }, logLevel: 'warning',
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: { js: \"import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);\" },
}).catch(() => process.exit(1));
"
# webgpu's index.js resolves dist/<platform>-<arch>/dawn.node from its own module URL: the bundle's.
xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$kit/dist/linux-x64/dawn.node.xz"
node_bin=$(command -v node)
if [ ! "$kit/node.xz" -nt "$node_bin" ]; then xz -T0 -9 -c "$node_bin" > "$kit/node.xz"; fi

apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/gpukit-apt)
mkdir -p /tmp/gpukit-apt/partial
if ! ls /tmp/gpukit-apt/*Packages* >/dev/null 2>&1; then apt-get "${apt_opts[@]}" update -qq; fi
(cd "$kit/gl" && apt-get "${apt_opts[@]}" download libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libgles2 libopengl0 2>/dev/null)

cat > "$kit/run.sh" <<'EOF'
#!/usr/bin/env bash
# Unpacks node, dawn.node and the Vulkan loader next to this script (once), then runs the bundle.
set -euo pipefail
kit=$(cd "$(dirname "$0")" && pwd)
work=${GPUKIT_DIR:-/tmp/gpukit}
mkdir -p "$work/dist/linux-x64"
if [ ! -x "$work/node" ]; then
  xz -dc "$kit/node.xz" > "$work/node" && chmod +x "$work/node"
  xz -dc "$kit/dist/linux-x64/dawn.node.xz" > "$work/dist/linux-x64/dawn.node"
  cp "$kit"/*.mjs "$work/"
  for deb in "$kit"/gl/*.deb; do dpkg -x "$deb" "$work/gl"; done
fi
export LD_LIBRARY_PATH="$work/gl/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The NVIDIA driver's Vulkan ICD, where the device machines mount it, unless one is named already.
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then export VK_DRIVER_FILES="$nvidia_icd"; fi
exec "$work/node" "$work/${GPUKIT_MAIN:-gpu.mjs}" "$@"
EOF
chmod +x "$kit/run.sh"
du -sh "$kit"; ls -la "$kit" "$kit/gl"

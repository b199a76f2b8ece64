#!/usr/bin/env bash
# Formats the package's Swift files with the toolchain's swift-format and the checked-in .swift-format
# (line length 120, 4-space indentation; only layout rules, so it never renames or rewrites code).
#   Scripts/format.sh          rewrites the files in place
#   Scripts/format.sh --check  changes nothing; lists the files that would change and exits 1 if any
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

files=()
while IFS= read -r -d '' file; do files+=("$file"); done < <(find Package.swift Sources Tests -name '*.swift' -print0 | sort -z)

case "${1:-}" in
"")
  swift format format --configuration .swift-format --parallel --in-place "${files[@]}"
  ;;
--check)
  # Formats copies in a scratch folder (one parallel run, as fast as applying) and compares them.
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  for file in "${files[@]}"; do mkdir -p "$scratch/$(dirname "$file")" && cp "$file" "$scratch/$file"; done
  (cd "$scratch" && swift format format --configuration "$root/.swift-format" --parallel --in-place "${files[@]}")
  changed=()
  for file in "${files[@]}"; do cmp -s "$file" "$scratch/$file" || changed+=("$file"); done
  if [ ${#changed[@]} -gt 0 ]; then
    echo "swift-format would change ${#changed[@]} file(s); run Scripts/format.sh:" >&2
    printf '  %s\n' "${changed[@]}" >&2
    exit 1
  fi
  ;;
*)
  echo "usage: Scripts/format.sh [--check]" >&2
  exit 64
  ;;
esac

# Sourced by the bench scripts: strict mode, the repository as the working folder, the binary under test
# ($POLICYKG_BIN, else the release build) and a scratch folder $work removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[1]}")/.."
bin=${POLICYKG_BIN:-$PWD/target/release/policykg}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

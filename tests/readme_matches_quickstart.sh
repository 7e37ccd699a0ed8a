# The README's C++ program is examples/quickstart.cpp (minus its header
# comment), so CI builds and runs what the README shows.
set -euo pipefail
root=$1
diff <(sed -n '/^```cpp$/,/^```$/p' "$root/README.md" | sed '1d;$d') \
     <(sed '/^\/\//{1,/^[^/]/d}' "$root/examples/quickstart.cpp" | sed -n '/^#include/,$p') \
  || { echo "README.md's program and examples/quickstart.cpp differ" >&2; exit 1; }

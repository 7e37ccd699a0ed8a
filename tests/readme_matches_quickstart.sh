# The README's C++ program is examples/quickstart.cpp from its first
# #include on (the header comment is the example's own), so CI builds and
# runs what the README shows.
set -euo pipefail
root=$1
diff <(sed -n '/^```cpp$/,/^```$/p' "$root/README.md" | sed '1d;$d' | awk 'f||/^#include/{f=1;print}') \
     <(sed -n '/^#include/,$p' "$root/examples/quickstart.cpp") \
  || { echo "README.md's program and examples/quickstart.cpp differ" >&2; exit 1; }

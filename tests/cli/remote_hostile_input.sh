# A node's port under hostile bytes: CAF BASP headers claiming gigabytes,
# random bytes and headers cut short, over several connections, before any
# token. The node must allocate next to nothing (lockstep's preamble is
# checked before CAF reads a byte), close what is not a lockstep client, and
# serve the next run; its peak RSS (VmHWM) stays under 100 MB.
source "$(dirname "$0")/lib.sh"
echo "s3cret" > token
a=$(start_node n --token-file token --handshake-timeout 2)
pid=$(cat n.pid)
port=${a##*:}

# A BASP header (32 bytes, 0.17: type, 2 padding, flags, u32 payload length,
# u64 operation data, two u32 actor ids... in network byte order) claiming a
# payload of 2 GB or 4 GB, as a client handshake and as a dispatch message.
hdr_client_2g='\x01\x00\x00\x00\x7f\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
hdr_dispatch_4g='\x02\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
hdr_server_2g='\x00\x00\x00\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
fds=()
send() {  # send BYTES: a new connection that sends BYTES and stays open
  local fd
  exec {fd}<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to the node"
  printf "$1" >&$fd
  fds+=("$fd")
}
for i in 1 2; do
  send "$hdr_client_2g"                 # a header alone (32 of 48 bytes)
  send "$hdr_client_2g$hdr_client_2g"   # two of them: 64 bytes
  send "$hdr_dispatch_4g$hdr_server_2g"
  send "$hdr_server_2g"
done
head -c 65536 /dev/urandom > junk
for i in 1 2 3; do
  exec {fd}<>"/dev/tcp/127.0.0.1/$port"; cat junk >&$fd 2>/dev/null || true; fds+=("$fd")
done
# A lockstep magic with a wrong token's digest, then a claimed BASP payload.
send 'LOCKSTEP\x01\x00\x00\x00\x01\x00\x00\x00AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'"$hdr_client_2g"

# The next run against the same node succeeds, with the same digests as local workers.
common=(--seed 5 --batches 200 --latency-ms 0 --no-progress)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --workers 2 --digests local.jsonl
# On the socket: the run's shared memory (64 MiB by default, mapped into the
# node too) is the run's own and would hide what the hostile bytes cost.
expect_status 0 "$LOCKSTEP" run "${common[@]}" --workers 0 --nodes "$a" --token-file token \
  --shm-bytes 0 --digests remote.jsonl
cmp -s local.jsonl remote.jsonl || fail "the node's digests differ from local workers'"

# The connections that were not lockstep clients are closed: at once for the
# ones that sent 48 bytes or more, within the handshake timeout for the rest.
closed() {
  local fd
  for fd in "${fds[@]}"; do
    # a closed peer reads as end of file (or a reset) at once; 124: still open
    local rc=0
    timeout 0.2 bash -c "cat <&$fd >/dev/null" 2>/dev/null || rc=$?
    [ "$rc" -ne 124 ] || return 1
  done
}
wait_for closed || fail "the node kept hostile connections open"

hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
echo "node under hostile input: VmHWM ${hwm} kB, VmRSS ${rss} kB"
[ "$hwm" -lt 102400 ] || fail "the node's peak RSS was ${hwm} kB (limit 100 MB)"
grep -q "refused a run from" n.err || fail "the wrong token was not logged: $(cat n.err)"

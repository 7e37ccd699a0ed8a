// The digest of a file's bytes, remembered between runs. API.
#pragma once

#include <filesystem>
#include <string>

namespace lockstep {

/// A digest of every byte of `file`, as 16 hex digits: what a source's
/// fingerprint (source.hpp) records of a data file. It is xxh64, seeded
/// with the file's size, of the xxh64s of its 4 MiB blocks in order (so a
/// file is read in blocks, never whole). It catches accidental changes; it
/// is not a defence against someone crafting data.
///
/// Hashing a large dataset at every start would cost minutes, so the digest
/// is cached in `file_digest_cache()`, keyed by the file's device, inode,
/// size, modification time and status-change time. Any write to the file
/// changes its status-change time (which, unlike the modification time, no
/// user call can set back), so a file changed in place is hashed again even
/// when its name, size and modification time are kept. A file changed less
/// than 100 ms before it is hashed is not cached (a second change within the
/// file system's timestamp granularity could keep the key). A cache that
/// cannot be read or written is skipped. Throws lockstep::error(invalid_dataset)
/// naming the file when it cannot be read.
std::string file_digest(const std::filesystem::path& file);

/// Where digests are cached: $LOCKSTEP_CACHE_DIR, else $XDG_CACHE_HOME/lockstep,
/// else $HOME/.cache/lockstep; empty (no cache) when none is set, or when
/// LOCKSTEP_CACHE_DIR is "off".
std::filesystem::path file_digest_cache();

}  // namespace lockstep

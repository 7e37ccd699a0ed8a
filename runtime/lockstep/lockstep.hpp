// lockstep: batches delivered in a fixed order, reproducibly, resumably and
// in parallel. The one header to include; everything it names is in
// namespace lockstep. What lives in lockstep/detail/ is not API.
#pragma once

#include "lockstep/messages/errc.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/messages/node_address.hpp"
#include "lockstep/messages/retry_policy.hpp"
#include "lockstep/messages/serialize.hpp"
#include "lockstep/messages/status.hpp"
#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/checkpoint.hpp"
#include "lockstep/runtime/checkpointer.hpp"
#include "lockstep/runtime/config.hpp"
#include "lockstep/runtime/digest.hpp"
#include "lockstep/runtime/job_progress.hpp"
#include "lockstep/runtime/job_runner.hpp"
#include "lockstep/runtime/log.hpp"
#include "lockstep/runtime/node_server.hpp"
#include "lockstep/runtime/plain_loop.hpp"
#include "lockstep/runtime/rank_share.hpp"
#include "lockstep/runtime/source.hpp"
#include "lockstep/runtime/source_registry.hpp"
#include "lockstep/runtime/tensor.hpp"
#include "lockstep/runtime/version.hpp"

// What the LLM package commands share (GenerateCommand.cpp: generate and bench;
// PerplexityCommand.cpp): opening the session where the weights are asked to live, feeding
// it, and the statistics lines on stderr.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "RunCommand.h"
#include "edgec/llm_session.h"

namespace edgec::cli {

// Where the weights of `path` live: as the flags ask, except that the default copy of a
// package larger than the memory available maps it instead (with a note).
edgec_residency chooseResidency(const std::string &path, const ResidencyFlags &flags);
// "read into memory", "mapped", "mapped, locked": as the statistics name it.
const char *residencyName(edgec_residency residency);
// LlmSession::open, its error thrown as a CommandError.
std::unique_ptr<LlmSession> openSession(const std::string &path, int threads, edgec_residency residency);
// The bytes of a file the user named (a text to score, a conversation); a CommandError
// naming it when it cannot be read.
std::string readTextFile(const std::string &path);
// --tokens "1,2,3" -> ids; a CommandError naming the item that is not an id.
std::vector<int32_t> parseIds(const std::string &text);
// LlmSession::feed, its error thrown as a CommandError.
void feedOrThrow(LlmSession &session, const std::vector<int32_t> &tokens, const float *&logits);

double peakRssMiB();
// Page faults this process served from disk so far (mapped weight pages read back).
long majorFaults();
// The note after the statistics when pages came from disk while timing a mapped package.
void warnFaults(long faults, edgec_residency residency);
// "memory: weights ... + KV cache ... + activations ...; peak RSS ..." on stderr.
void printMemory(LlmSession &session, edgec_residency residency);

}  // namespace edgec::cli

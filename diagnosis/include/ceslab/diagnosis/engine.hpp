// SPDX-License-Identifier: GPL-2.0-or-later
// The diagnosis engine: one Evidence record in, causes ranked by confidence
// out, with the evidence behind each, what would separate close candidates,
// and the remediation. Deterministic: the same catalog and evidence give the
// same Diagnosis, byte for byte once serialised. The scoring is explained in
// docs/diagnosis.md ("Scoring"); it is built so that a weak or ambiguous
// picture yields "unknown" rather than a confident wrong cause.
#pragma once

#include <string>
#include <vector>

#include "ceslab/core/evidence.hpp"
#include "ceslab/diagnosis/catalog.hpp"

namespace ceslab::diagnosis {

struct Candidate {
  std::string cause;
  std::string title;
  std::string layer;
  std::string family;
  // 0..1: score / (score + the strongest rival's score + EngineOptions::unexplained)
  double confidence = 0;
  double score = 0;                  // sum of the weights of the rules that held
  std::vector<std::string> matched;  // evidence that matched, one line each
  std::vector<std::string> against;  // evidence that counted against it
  // Evidence that would separate it from the next candidate (or, for the
  // last one, from the one before): next checks to ask for.
  std::vector<std::string> separating;
  std::vector<std::string> remediation;
  std::vector<std::string> references;
};

// A cause whose required evidence was all there but which a rule ruled out.
struct RuledOut {
  std::string cause;
  std::string title;
  std::vector<std::string> because;
};

struct Diagnosis {
  std::string verdict;    // a cause id, "unknown", or "succeeded" (no failure shown)
  double confidence = 0;  // the verdict's; for "unknown" the best candidate's (0 without one)
  // The catalog's `outside` entry that held: another product answered, so
  // the verdict is unknown whatever the causes scored. Empty otherwise.
  std::string outside;
  std::vector<Candidate> candidates;  // ranked, best first
  // When the verdict is unknown because the best candidates cannot be told
  // apart: their ids (best first), and their family when they share one.
  std::vector<std::string> tied;
  std::string family;
  std::vector<std::string> why;          // the reasoning, in sentences
  std::vector<std::string> next_checks;  // what to look at next
  std::vector<std::string> seen;         // the salient evidence, one line each
  std::vector<RuledOut> ruled_out;       // catalog order
};

// The scoring policy (docs/diagnosis.md "Scoring"); the defaults are what the
// fixtures and the CLI use.
struct EngineOptions {
  // Pseudo-score of "a cause the catalog does not describe", the rival every
  // candidate has: keeps a lone candidate with little evidence from looking
  // certain.
  double unexplained = 3.0;
  // A verdict needs at least this confidence; below it the verdict is unknown.
  double min_confidence = 0.6;
  // With an unknown verdict, candidates scoring at least this fraction of the
  // best are listed as tied.
  double tie_ratio = 0.5;
};

Diagnosis diagnose(const Catalog& catalog, const core::Evidence& evidence,
                   const EngineOptions& options = {});

}  // namespace ceslab::diagnosis

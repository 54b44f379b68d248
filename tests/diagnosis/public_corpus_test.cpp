// SPDX-License-Identifier: GPL-2.0-or-later
// The outsider corpus (tests/fixtures/diagnose-public/, its README): cases
// made from real public posts, labelled from the sources before the engine
// ran on them and never used to tune a rule. The engine must answer as an
// expert would from the same artefacts in at least 95% of them, and never
// name a wrong cause: unknown beats wrong (docs/diagnosis.md, "Outsider
// corpus").
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/diagnosis/engine.hpp"
#include "ceslab/diagnosis/inputs.hpp"

namespace ceslab::diagnosis {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(CESLAB_FIXTURES_DIR) / "diagnose-public";

struct Label {
  std::string truth;   // a cause id, or "outside"
  std::string expect;  // a cause id, or "unknown"
  std::vector<std::string> candidates;
};

Label read_label(const fs::path& dir) {
  const YAML::Node n = YAML::LoadFile((dir / "label.yaml").string());
  Label l;
  l.truth = n["truth"].as<std::string>();
  l.expect = n["expect"].as<std::string>();
  if (n["candidates"]) l.candidates = n["candidates"].as<std::vector<std::string>>();
  return l;
}

struct Outcome {
  std::string name;
  Label label;
  Diagnosis diagnosis;
  std::vector<std::string> refused;  // artefacts no reader took, with why
};

// As `ceslab diagnose` reads a case, except that an artefact no reader takes
// is set aside (and reported) instead of stopping the case: an admin would
// leave it out and run again.
Outcome run_case(const fs::path& dir) {
  Outcome o;
  o.name = dir.filename().string();
  o.label = read_label(dir);
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(dir)) {
    const std::string n = f.path().filename().string();
    if (n != "label.yaml" && n != "README.md") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  core::Evidence e = empty_evidence();
  for (const fs::path& f : files) {
    try {
      read_input_file(f, std::nullopt, e);
    } catch (const InputError& err) {
      o.refused.push_back(err.what());
    }
  }
  o.diagnosis = diagnose(Catalog::builtin(), e);
  return o;
}

bool named_cause(const std::string& verdict) {
  return verdict != kUnknown && verdict != kSucceeded;
}

TEST(PublicCorpus, AnswersAsAnExpertWouldAndNeverNamesAWrongCause) {
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(kCorpus)) {
    if (d.is_directory()) dirs.push_back(d.path());
  }
  std::sort(dirs.begin(), dirs.end());
  ASSERT_GE(dirs.size(), 20u);

  const Catalog& catalog = Catalog::builtin();
  std::size_t agree = 0;
  std::size_t truth_listed = 0;
  std::size_t open_cases = 0;
  for (const fs::path& dir : dirs) {
    const Outcome o = run_case(dir);
    SCOPED_TRACE(o.name);
    if (o.label.truth != "outside") {
      ASSERT_NE(catalog.find(o.label.truth), nullptr) << "truth " << o.label.truth;
    }
    const std::string& verdict = o.diagnosis.verdict;
    const bool ok = verdict == o.label.expect;
    agree += ok ? 1 : 0;
    // Unknown with the truth among the candidates left open is the useful unknown.
    if (o.label.expect == kUnknown && o.label.truth != "outside") {
      ++open_cases;
      const auto& c = o.diagnosis.candidates;
      if (std::any_of(c.begin(), c.end(),
                      [&](const Candidate& x) { return x.cause == o.label.truth; }))
        ++truth_listed;
    }
    std::cout << (ok ? "agree   " : "DISAGREE") << " " << o.name << ": expect " << o.label.expect
              << ", got " << verdict;
    if (!o.diagnosis.outside.empty()) std::cout << " (outside: " << o.diagnosis.outside << ")";
    std::cout << "\n";
    for (const auto& r : o.refused) std::cout << "         refused " << r << "\n";
    // The worst outcome: a cause named with confidence that is not the truth.
    if (named_cause(verdict)) {
      EXPECT_EQ(verdict, o.label.truth) << "a confident wrong answer";
    }
  }
  const double score = static_cast<double>(agree) / static_cast<double>(dirs.size());
  std::cout << "public corpus: " << agree << "/" << dirs.size() << " agree with the label ("
            << static_cast<int>(score * 1000 + 0.5) / 10.0 << "%); truth among the candidates in "
            << truth_listed << "/" << open_cases << " open cases\n";
  EXPECT_GE(score, 0.95);
}

}  // namespace
}  // namespace ceslab::diagnosis

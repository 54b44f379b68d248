// SPDX-License-Identifier: GPL-2.0-or-later
// The repository explains itself: every Markdown document a source file,
// data file or document names (`docs/protocol.md 1.3`, `[world.md](world.md)`,
// `tests/fixtures/wire/README.md`) is in the repository, next to the file
// that names it, under the repository's root or in docs/. Addresses of other
// sites are not judged.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::weakly_canonical(fs::path(CESLAB_FIXTURES_DIR) / ".." / "..");

bool is_text_source(const fs::path& p) {
  static const std::set<std::string> kExtensions = {".cpp",   ".hpp",  ".h",   ".md",
                                                    ".yaml",  ".txt",  ".xsd", ".wsdl",
                                                    ".cmake", ".http", ".dat", ".json"};
  return kExtensions.count(p.extension().string()) > 0 || p.filename() == "CMakeLists.txt";
}

bool skipped_directory(const fs::path& p) {
  const std::string name = p.filename().string();
  return name == "build" || name == ".git" || name.rfind("build-", 0) == 0;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// What a C++ file says in its comments: a member access named md in code
// (a struct with a digest member) is not a document.
std::string prose_of(const fs::path& p, const std::string& text) {
  const std::string ext = p.extension().string();
  if (ext != ".cpp" && ext != ".hpp" && ext != ".h") return text;
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    const std::size_t comment = line.find("//");
    const std::size_t first = line.find_first_not_of(" \t");
    if (comment != std::string::npos) {
      out += line.substr(comment) + "\n";
    } else if (first != std::string::npos && line[first] == '*') {
      out += line.substr(first) + "\n";
    }
    start = end + 1;
  }
  return out;
}

// Found inside the repository: `../` may not climb out of it (a checkout
// next to other folders would otherwise pass where a clean clone fails).
bool resolves(const fs::path& file, const std::string& name) {
  const std::string root = kRoot.string() + "/";
  for (const fs::path& base : {file.parent_path(), kRoot, kRoot / "docs"}) {
    const fs::path candidate = fs::weakly_canonical(base / name);
    if (candidate.string().rfind(root, 0) == 0 && fs::exists(candidate)) return true;
  }
  return false;
}

TEST(DocumentReferences, EveryNamedDocumentIsInTheRepository) {
  // A path ending in .md; what comes before it decides whether it is an
  // address of another site (`://` somewhere in the token).
  const std::regex named(R"(([A-Za-z0-9_./:\-]*[A-Za-z0-9_\-])\.md\b)");
  std::size_t checked = 0;
  for (auto it = fs::recursive_directory_iterator(kRoot); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->is_directory() && skipped_directory(it->path())) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || !is_text_source(it->path())) continue;
    const std::string text = prose_of(it->path(), read_file(it->path()));
    for (std::sregex_iterator m(text.begin(), text.end(), named), end; m != end; ++m) {
      const std::string token = (*m)[1].str() + ".md";
      if (token.find("://") != std::string::npos) continue;
      ++checked;
      EXPECT_TRUE(resolves(it->path(), token))
          << fs::relative(it->path(), kRoot).string() << " names " << token
          << ", which the repository does not contain";
    }
  }
  EXPECT_GT(checked, 100u) << "the scan found almost nothing: is the root right? " << kRoot;
}

}  // namespace

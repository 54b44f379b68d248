// SPDX-License-Identifier: GPL-2.0-or-later
// The strict second reading reads a UTF-8 message through libxml2's SAX
// callbacks only (issue 17); it must answer exactly as the reading through
// libxml2's tree (check_xml_with_tree, kept for other encodings) does: the
// same facts, or the same error (kind, part, words). Checked on every wire
// fixture and on variants of them: truncated, with a byte replaced by one
// that breaks XML, with xml:lang and mustUnderstand moved about, and under
// depth quotas.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/wsdl/codec.hpp"
#include "xml_check.hpp"

namespace {

namespace fs = std::filesystem;
using ceslab::wsdl::MessageError;
using ceslab::wsdl::detail::check_xml;
using ceslab::wsdl::detail::check_xml_with_tree;
using ceslab::wsdl::detail::XmlFacts;

// What a reading answered, written out for comparison.
template <typename Read>
std::string answer(Read read, const std::string& xml, std::size_t max_depth) {
  std::ostringstream out;
  try {
    const XmlFacts facts = read(xml, max_depth);
    out << "utf8_text=" << facts.utf8_text.value_or("<none>")
        << "\nlang=" << facts.fault_reason_lang.value_or("<none>") << "\nmust_understand=";
    for (const auto& [ns, name] : facts.must_understand_headers) out << "{" << ns << "}" << name;
    out << "\nmessage_id=" << facts.message_id.value_or("<none>");
  } catch (const MessageError& e) {
    out << "MessageError " << to_string(e.kind()) << " in part " << static_cast<int>(e.part())
        << ": " << e.what();
  } catch (const std::exception& e) {
    out << "exception: " << e.what();
  }
  return out.str();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> fixtures() {
  std::vector<std::string> out;
  const fs::path root = fs::path(CESLAB_FIXTURES_DIR);
  for (const fs::path& dir : {root / "wire", root / "wire" / "lenient", root / "wire" / "bad",
                              root / "diagnose-inputs" / "soap"}) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".xml")
        out.push_back(read_file(entry.path()));
    }
  }
  return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// Bytes that break XML where they land (or not): markup, a NUL, a byte that
// is no UTF-8, the end of a CDATA section.
const std::vector<std::string> kBreakers{"<", "&", std::string(1, '\0'), "\xC0", "]]>", "x"};

// The fixture and its variants.
std::vector<std::string> variants(const std::string& xml) {
  std::vector<std::string> out{xml};
  const std::size_t steps = 24;
  for (std::size_t i = 1; i < steps; ++i) {
    const std::size_t at = xml.size() * i / steps;
    out.push_back(xml.substr(0, at));
    for (const std::string& bad : kBreakers) {
      std::string broken = xml;
      broken.replace(at, 1, bad);
      out.push_back(broken);
    }
  }
  // xml:lang on the way to a fault's text: none, then on one start tag.
  const std::string bare = std::regex_replace(xml, std::regex(" xml:lang=\"[^\"]*\""), "");
  out.push_back(bare);
  for (const std::string tag : {"Envelope", "Body", "Fault", "Reason", "Text"}) {
    for (const std::string value : {"x&amp;y&#38;z", ""}) {
      out.push_back(std::regex_replace(bare, std::regex("(<[A-Za-z0-9]+:" + tag + ")([ >])"),
                                       "$1 xml:lang=\"" + value + "\"$2"));
    }
  }
  for (const std::string_view value : {"\"true\"", "\"0\"", "\" 1\"", "\"&#49;\""}) {
    std::string mu = xml;
    replace_all(mu, "mustUnderstand=\"1\"", "mustUnderstand=" + std::string(value));
    out.push_back(mu);
  }
  // MS-XCEP's binary elements: nil, or their text in CDATA and comments.
  const std::regex binary("(<[A-Za-z0-9]+:(certificate|value))>");
  out.push_back(std::regex_replace(
      xml, binary, "$1 xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" i:nil=\"1\">"));
  out.push_back(std::regex_replace(xml, binary, "$1><![CDATA[QUJD]]><!--!-->"));
  out.push_back(std::regex_replace(xml, binary, "$1><![CDATA[!]]>"));
  return out;
}

TEST(XmlCheckSax, AnswersAsTheTreeReadingOnEveryFixtureAndVariant) {
  const std::vector<std::string> messages = fixtures();
  ASSERT_GT(messages.size(), 20u);
  std::size_t compared = 0;
  for (const std::string& fixture : messages) {
    for (const std::string& xml : variants(fixture)) {
      for (const std::size_t max_depth :
           {std::size_t{0}, std::size_t{3}, std::size_t{5}, std::size_t{8}}) {
        const std::string sax = answer(check_xml, xml, max_depth);
        const std::string tree = answer(check_xml_with_tree, xml, max_depth);
        ASSERT_EQ(sax, tree) << "max_depth " << max_depth << ", message:\n" << xml;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 1000u);
}

TEST(XmlCheckSax, AnswersAsTheTreeReadingOnDeepNesting) {
  for (const std::size_t levels : {250, 255, 256, 257, 258, 300, 1000}) {
    std::string xml;
    for (std::size_t i = 0; i < levels; ++i) xml += "<e>";
    for (std::size_t i = 0; i < levels; ++i) xml += "</e>";
    EXPECT_EQ(answer(check_xml, xml, 0), answer(check_xml_with_tree, xml, 0)) << levels;
  }
}

// Random edits of the fixtures with pieces of markup, seeded so that a run
// is repeatable. It found a broken XML declaration before a DTD, where
// libxml2 declares the DTD's entities when it has no document (below).
TEST(XmlCheckSax, AnswersAsTheTreeReadingOnRandomEdits) {
  const std::vector<std::string> messages = fixtures();
  const std::vector<std::string> pieces{"<",
                                        ">",
                                        "&",
                                        "&amp;",
                                        "&#38;",
                                        "&#0;",
                                        "\"",
                                        "'",
                                        " xml:lang=\"q\"",
                                        "<![CDATA[x]]>",
                                        "<!--c-->",
                                        "<!-- a -- b -->",
                                        "<?p x?>",
                                        "<?xml ",
                                        std::string(1, '\0'),
                                        "\xC0\x80",
                                        "\xFF\xFE",
                                        "\xEF\xBB\xBF",
                                        "\xE2\x82\xAC",
                                        "&#x10FFFF;",
                                        "&#xD800;",
                                        "</a>",
                                        "<a>",
                                        "xmlns:p=\"urn:p\"",
                                        " p:x=\"1\"",
                                        "xmlns=\"\"",
                                        "xmlns:s=\"urn:other\"",
                                        "s:",
                                        "<p:q/>",
                                        "<!DOCTYPE x>",
                                        "<!DOCTYPE s:Envelope [",
                                        "]>",
                                        "<!ENTITY e \"x\">",
                                        "&e;",
                                        "%e;",
                                        "encoding=\"latin1\"",
                                        "encoding=\"UTF8\"",
                                        " xml:id=\"1 2\"",
                                        "\r\n",
                                        "]]>",
                                        "QUJD",
                                        "!",
                                        "xsi:nil=\"1\"",
                                        "<s:Header>",
                                        "<s:Body>",
                                        "</s:Body>",
                                        "<s:Fault>",
                                        "<s:Reason><s:Text>"};
  std::mt19937 random(17);
  for (int round = 0; round < 20000; ++round) {
    std::string xml = messages[random() % messages.size()];
    for (std::size_t edits = 1 + random() % 3; edits > 0; --edits) {
      const std::size_t at = random() % (xml.size() + 1);
      xml.replace(at, std::min<std::size_t>(random() % 4, xml.size() - at),
                  pieces[random() % pieces.size()]);
    }
    const std::size_t max_depth = random() % 2 == 0 ? 0 : random() % 10;
    ASSERT_EQ(answer(check_xml, xml, max_depth), answer(check_xml_with_tree, xml, max_depth))
        << "round " << round << ", max_depth " << max_depth << ", message:\n"
        << xml;
  }
}

// The parser reads the DTD after a broken declaration (its SAX callbacks
// off): the answer depends on how it looks entities up.
TEST(XmlCheckSax, AnswersAsTheTreeReadingOnABrokenDeclarationBeforeADtd) {
  std::string xml =
      read_file(fs::path(CESLAB_FIXTURES_DIR) / "wire" / "bad" / "billion_laughs.xml");
  replace_all(xml, "version=\"1.0\"", "version=\"1.\"0\"");
  EXPECT_EQ(answer(check_xml, xml, 0), answer(check_xml_with_tree, xml, 0));
}

}  // namespace

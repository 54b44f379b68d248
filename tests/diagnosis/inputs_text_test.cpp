// SPDX-License-Identifier: GPL-2.0-or-later
// Bytes to text, type detection, and the file front door: what is refused
// (empty, binary, oversize, unreadable) and what is converted (UTF-16).
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "inputs_test_support.hpp"
#include "temp_dir.hpp"

namespace ceslab::diagnosis {
namespace {

using testing::fixture_bytes;
using testing::has_fact;
using testing::input_fixture;

std::string problem_of(std::string_view name, std::string_view content,
                       std::optional<InputType> forced = {}) {
  core::Evidence e = empty_evidence();
  try {
    read_input(name, content, forced, e);
  } catch (const InputError& error) {
    EXPECT_EQ(error.name(), name);
    EXPECT_EQ(std::string(error.what()), std::string(name) + ": " + error.problem());
    return error.problem();
  }
  ADD_FAILURE() << name << " was accepted";
  return {};
}

using ceslab::test_support::TempDir;

TEST(InputTypes, NamesRoundTripForEveryType) {
  for (const InputType t : all_input_types()) EXPECT_EQ(parse_input_type(to_string(t)), t);
  EXPECT_EQ(all_input_types().size(), 10u);
  EXPECT_EQ(to_string(InputType::event_jsonl), "event_jsonl");
  EXPECT_EQ(to_string(InputType::getcert_list), "getcert_list");
  EXPECT_FALSE(parse_input_type("certreq"));
  EXPECT_EQ(to_string(InputType::event_xml), "event_xml");
}

TEST(InputText, EmptyAndBlankAreRefused) {
  EXPECT_EQ(problem_of("a.txt", ""), "is empty");
  EXPECT_EQ(problem_of("b.txt", " \r\n\t\n"), "holds only white space");
  EXPECT_EQ(problem_of("c.txt", "\xEF\xBB\xBF"), "holds only white space");
}

TEST(InputText, NulBytesAreBinary) {
  const std::string zip("PK\x03\x04\x14\x00\x00\x00\x08\x00", 10);
  EXPECT_NE(problem_of("logs.zip", zip).find("binary"), std::string::npos);
}

TEST(InputText, ManyInvalidBytesAreBinaryAFewAreTolerated) {
  std::string noise;
  for (int i = 0; i < 400; ++i) noise += static_cast<char>(0x80 + (i * 37) % 0x7F);
  EXPECT_NE(problem_of("image.png", noise).find("binary"), std::string::npos);

  // certreq output saved in the ANSI code page (Windows-1252): "für" is one
  // byte that is not UTF-8, and the text converts whole.
  const std::string cp1252 =
      "Die Berechtigungen f\xFCr die Vorlage lassen das nicht zu. 0x80094012 (-2146877422 "
      "CERTSRV_E_TEMPLATE_DENIED)\r\n";
  core::Evidence e = empty_evidence();
  read_input("certreq-de.txt", cp1252, {}, e);
  ASSERT_EQ(e.messages.size(), 1u);
  EXPECT_NE(e.messages[0].find("f\xC3\xBCr"), std::string::npos);  // "ü" in UTF-8
  EXPECT_NE(e.messages[0].find("CERTSRV_E_TEMPLATE_DENIED"), std::string::npos);
}

// A French Event Viewer export saved as ANSI: far more than a few bytes are
// not UTF-8 (every accent), yet it is text, not binary.
TEST(InputText, AFrenchExportInTheAnsiCodePageIsText) {
  std::string text =
      "Nom du journal :\tMicrosoft-Windows-EnrollmentWebService/Admin\r\n"
      "Source :\tMicrosoft-Windows-EnrollmentWebService\r\n"
      "ID de l'\xE9v\xE9nement :\t9\r\n"
      "Niveau :\tErreur\r\n"
      "Ordinateur :\tces.lab.test\r\n"
      "Description :\r\n";
  for (int i = 0; i < 20; ++i)
    text += "Le service a \xE9t\xE9 arr\xEAt\xE9 \xE0 cause d'une erreur.\r\n";
  core::Evidence e = empty_evidence();
  read_input("evenement-fr.txt", text, {}, e);
  ASSERT_EQ(e.server_events.size(), 1u);
  EXPECT_EQ(e.server_events[0].id, 9);
  EXPECT_EQ(e.server_events[0].level, "Error");
  EXPECT_NE(e.server_events[0].message.find("\xC3\xA9t\xC3\xA9"), std::string::npos);
}

TEST(InputText, OverTheLimitIsRefusedBeforeReading) {
  const std::string big(kMaxInputBytes + 1, 'a');
  EXPECT_NE(problem_of("big.txt", big).find("over the input limit"), std::string::npos);

  TempDir dir;
  const auto path = dir.file("huge.log", big);
  core::Evidence e = empty_evidence();
  try {
    read_input_file(path, {}, e);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.name(), path.string());
    EXPECT_NE(error.problem().find(std::to_string(kMaxInputBytes + 1) + " bytes"),
              std::string::npos);
  }
}

TEST(InputText, Utf16LittleEndianWithBomIsConverted) {
  const std::string bytes = fixture_bytes("events/utf16le_with_bom.xml");
  ASSERT_EQ(bytes.substr(0, 2), "\xFF\xFE");
  EXPECT_EQ(detect_input_type(bytes), InputType::event_xml);
  core::Evidence e = empty_evidence();
  const ParsedInput parsed = read_input("export.xml", bytes, {}, e);
  EXPECT_EQ(parsed.type, InputType::event_xml);
  ASSERT_EQ(e.server_events.size(), 3u);
  EXPECT_EQ(e.server_events[1].source, "Microsoft-Windows-CertificationAuthority");
  EXPECT_EQ(e.server_events[1].id, 53);
}

TEST(InputText, Utf16BigEndianAndWithoutBomAreConverted) {
  const std::string text = "Access is denied. 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)\r\n";
  std::string be = "\xFE\xFF";
  std::string le_no_bom;
  for (const char c : text) {
    be += '\0';
    be += c;
    le_no_bom += c;
    le_no_bom += '\0';
  }
  for (const std::string& bytes : {be, le_no_bom}) {
    core::Evidence e = empty_evidence();
    read_input("certreq.txt", bytes, {}, e);
    ASSERT_EQ(e.messages.size(), 1u);
    EXPECT_EQ(e.messages[0], "Access is denied. 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)");
  }
  EXPECT_NE(problem_of("odd.txt", std::string("\xFF\xFE\x41", 3)).find("odd length"),
            std::string::npos);
}

TEST(InputText, DetectionFollowsTheContent) {
  EXPECT_EQ(detect_input_type(fixture_bytes("soap/fault_email_required.xml")),
            InputType::soap_fault);
  EXPECT_EQ(detect_input_type(fixture_bytes("http/500_fault.http")), InputType::http_response);
  EXPECT_EQ(detect_input_type(fixture_bytes("http/request_not_response.http")),
            InputType::http_response);
  EXPECT_EQ(detect_input_type(fixture_bytes("text/certreq_email.txt")), InputType::client_text);
  EXPECT_EQ(detect_input_type(fixture_bytes("events/wevtutil_ca53.xml")), InputType::event_xml);
  EXPECT_EQ(detect_input_type(fixture_bytes("events/convertto_xml_ces9.xml")),
            InputType::event_xml);
  EXPECT_EQ(detect_input_type(fixture_bytes("events/formatlist_default.txt")),
            InputType::event_text);
  EXPECT_EQ(detect_input_type(fixture_bytes("events/formatlist_star_4625.txt")),
            InputType::event_text);
  EXPECT_EQ(detect_input_type(fixture_bytes("events/eventviewer_copy.txt")), InputType::event_text);
  EXPECT_EQ(detect_input_type(fixture_bytes("events/wevtutil_text.txt")), InputType::event_text);
  EXPECT_EQ(detect_input_type(fixture_bytes("klist/mit_ok.txt")), InputType::klist);
  EXPECT_EQ(detect_input_type(fixture_bytes("klist/windows_ok.txt")), InputType::klist);
  EXPECT_EQ(detect_input_type(fixture_bytes("cepces/soapfault_access_denied.log")),
            InputType::cepces_log);
  EXPECT_EQ(detect_input_type(fixture_bytes("cepces/journal_http_401.txt")), InputType::cepces_log);
  EXPECT_EQ(detect_input_type(fixture_bytes("json/evidence_email.json")), InputType::evidence_json);
}

TEST(InputText, ForcedTypeThatDoesNotFitSaysSo) {
  const std::string problem =
      problem_of("fault.xml", fixture_bytes("soap/fault_email_required.xml"), InputType::klist);
  EXPECT_NE(problem.find("no Kerberos ticket"), std::string::npos) << problem;
}

TEST(InputText, TextWithNothingRecognisableIsAnInputError) {
  EXPECT_NE(
      problem_of("mail.txt", fixture_bytes("text/nothing_here.txt")).find("no Windows error code"),
      std::string::npos);
}

TEST(InputFile, MissingDirectoryAndUnreadableFilesNameTheProblem) {
  TempDir dir;
  core::Evidence e = empty_evidence();
  const auto missing = dir.path() / "nope.txt";
  try {
    read_input_file(missing, {}, e);
    ADD_FAILURE();
  } catch (const InputError& error) {
    EXPECT_EQ(error.name(), missing.string());
    EXPECT_NE(error.problem().find("cannot be read"), std::string::npos);
  }
  try {
    read_input_file(dir.path(), {}, e);
    ADD_FAILURE();
  } catch (const InputError& error) {
    EXPECT_EQ(error.problem(), "is a directory, not a file");
  }
  if (::geteuid() != 0) {  // root reads anything
    const auto locked = dir.file("locked.txt", "Access is denied. 0x80070005");
    std::filesystem::permissions(locked, std::filesystem::perms::none);
    try {
      read_input_file(locked, {}, e);
      ADD_FAILURE();
    } catch (const InputError& error) {
      EXPECT_NE(error.problem().find("Permission denied"), std::string::npos) << error.problem();
    }
  }
}

TEST(InputFile, AnInputErrorLeavesTheRecordUnchanged) {
  core::Evidence e = empty_evidence();
  read_input_file(input_fixture("text/certreq_email.txt"), {}, e);
  const auto messages = e.messages;
  EXPECT_THROW(read_input_file(input_fixture("events/truncated.xml"), {}, e), InputError);
  EXPECT_EQ(e.messages, messages);
  EXPECT_TRUE(e.server_events.empty());
}

}  // namespace
}  // namespace ceslab::diagnosis

// SPDX-License-Identifier: GPL-2.0-or-later
// Event-log exports, XML and text: every event's log, source, id, level, host,
// time and message; the client's own events also give client messages.
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

#include "inputs_test_support.hpp"

namespace ceslab::diagnosis {
namespace {

using testing::all_facts;
using testing::has_fact;
using testing::read_fixture;

constexpr const char* kEmailCode = "0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)";

// The lab CA's denial warning (CertificationAuthority event 53 on
// ca.lab.test), as every export form that shows all its fields gives it.
void expect_ca_event_53(const core::ServerEvent& ev) {
  EXPECT_EQ(ev.log, "Application");
  EXPECT_EQ(ev.source, "Microsoft-Windows-CertificationAuthority");
  EXPECT_EQ(ev.id, 53);
  EXPECT_EQ(ev.level, "Warning");
  EXPECT_EQ(ev.host, "ca.lab.test");
}

TEST(InputEventXml, WevtutilOneEventWithoutRenderingInfo) {
  const auto r = read_fixture("events/wevtutil_ca53.xml");
  EXPECT_EQ(r.parsed.type, InputType::event_xml);
  ASSERT_EQ(r.evidence.server_events.size(), 1u);
  const core::ServerEvent& ev = r.evidence.server_events[0];
  expect_ca_event_53(ev);
  EXPECT_EQ(ev.time, "2026-11-26T03:10:57.1882381Z");
  // Without RenderingInfo the insertion strings stand in for the message.
  EXPECT_NE(ev.message.find(kEmailCode), std::string::npos) << ev.message;
  EXPECT_NE(ev.message.find("Denied by Policy Module"), std::string::npos);
  EXPECT_TRUE(r.evidence.messages.empty());  // a CA event is not the client's message
  EXPECT_TRUE(
      has_fact(r.parsed.facts, "event Microsoft-Windows-CertificationAuthority 53 on ca.lab.test"))
      << all_facts(r.parsed.facts);
}

TEST(InputEventXml, ManyRenderedEventsWithoutARoot) {
  const auto r = read_fixture("events/wevtutil_rendered_many.xml");
  const auto& events = r.evidence.server_events;
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].source, "Microsoft-Windows-EnrollmentWebService");
  EXPECT_EQ(events[0].id, 8);
  EXPECT_EQ(events[0].log, "Microsoft-Windows-EnrollmentWebService/Admin");
  EXPECT_EQ(events[0].level, "Error");
  EXPECT_EQ(events[0].message.rfind("The Certificate Enrollment Web Service cannot read", 0), 0u);
  EXPECT_EQ(events[1].message.rfind("Active Directory Certificate Services denied request 17", 0),
            0u);
  EXPECT_EQ(events[2].source, "Microsoft-Windows-CertificateServicesClient-CertEnroll");
  EXPECT_EQ(events[2].id, 13);
  EXPECT_EQ(events[2].host, "ws01.lab.test");
  // CertEnroll 13 wraps what certreq would print: it becomes a client message.
  ASSERT_EQ(r.evidence.messages.size(), 1u);
  EXPECT_EQ(r.evidence.messages[0],
            "A message containing a fault was received from the remote endpoint. 0x803d0013 "
            "(-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)");
  EXPECT_TRUE(has_fact(r.parsed.facts, "3 events"));
}

TEST(InputEventText, AutoEnrollmentEventGivesAClientMessage) {
  // Microsoft-Windows-CertificateServicesClient-AutoEnrollment event 6 puts
  // the code in parentheses before the text.
  core::Evidence e = empty_evidence();
  read_input("autoenroll.txt",
             "TimeCreated  : 11/26/2026 3:10:57 AM\r\n"
             "ProviderName : Microsoft-Windows-CertificateServicesClient-AutoEnrollment\r\n"
             "Id           : 6\r\n"
             "Message      : Automatic certificate enrollment for local system failed (0x800706ba) "
             "The RPC server is unavailable.\r\n",
             {}, e);
  ASSERT_EQ(e.server_events.size(), 1u);
  ASSERT_EQ(e.messages.size(), 1u);
  EXPECT_EQ(e.messages[0],
            "Automatic certificate enrollment for local system failed The RPC server is "
            "unavailable. 0x800706ba (WIN32: 1722 RPC_S_SERVER_UNAVAILABLE)");
}

TEST(InputEventXml, EventViewerSavedWithARootReadsTheSame) {
  const auto a = read_fixture("events/wevtutil_rendered_many.xml");
  const auto b = read_fixture("events/eventviewer_saved.xml");
  ASSERT_EQ(a.evidence.server_events.size(), b.evidence.server_events.size());
  for (std::size_t i = 0; i < a.evidence.server_events.size(); ++i) {
    EXPECT_EQ(a.evidence.server_events[i].message, b.evidence.server_events[i].message);
    EXPECT_EQ(a.evidence.server_events[i].time, b.evidence.server_events[i].time);
  }
}

TEST(InputEventXml, ConvertToXmlOfGetWinEvent) {
  const auto r = read_fixture("events/convertto_xml_ces9.xml");
  ASSERT_EQ(r.evidence.server_events.size(), 1u);
  const core::ServerEvent& ev = r.evidence.server_events[0];
  EXPECT_EQ(ev.source, "Microsoft-Windows-EnrollmentWebService");
  EXPECT_EQ(ev.id, 9);
  EXPECT_EQ(ev.level, "Error");
  EXPECT_EQ(ev.host, "ces.lab.test");
  EXPECT_EQ(ev.log, "Microsoft-Windows-EnrollmentWebService/Admin");
  EXPECT_EQ(ev.time, "11/26/2026 3:10:57 AM");
  EXPECT_NE(ev.message.find("EDITF_ENABLERENEWONBEHALFOF"), std::string::npos);
}

TEST(InputEventXml, HostileAndBrokenXmlIsRefused) {
  for (const char* name : {"events/xxe_system_entity.xml", "events/billion_laughs.xml"}) {
    core::Evidence e = empty_evidence();
    try {
      read_input_file(testing::input_fixture(name), InputType::event_xml, e);
      ADD_FAILURE() << name;
    } catch (const InputError& error) {
      EXPECT_NE(error.problem().find("document type declaration"), std::string::npos)
          << error.what();
      EXPECT_EQ(error.problem().find("root:"), std::string::npos);  // /etc/passwd never read
    }
  }
  core::Evidence e = empty_evidence();
  try {
    read_input_file(testing::input_fixture("events/truncated.xml"), {}, e);
    ADD_FAILURE();
  } catch (const InputError& error) {
    EXPECT_NE(error.problem().find("not well-formed XML (line 1"), std::string::npos)
        << error.what();
  }
}

TEST(InputEventXml, XmlWithoutEventsIsAnInputError) {
  core::Evidence e = empty_evidence();
  EXPECT_THROW(read_input("x.xml", "<Objects><Object Type=\"System.String\">x</Object></Objects>",
                          InputType::event_xml, e),
               InputError);
}

TEST(InputEventText, FormatListDefaultView) {
  const auto r = read_fixture("events/formatlist_default.txt");
  const auto& events = r.evidence.server_events;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].source, "Microsoft-Windows-CertificationAuthority");
  EXPECT_EQ(events[0].id, 53);
  EXPECT_EQ(events[0].time, "11/26/2026 3:10:57 AM");
  EXPECT_NE(events[0].message.find(kEmailCode), std::string::npos);
  EXPECT_EQ(events[1].id, 8);
  EXPECT_EQ(events[1].source, "Microsoft-Windows-EnrollmentWebService");
}

TEST(InputEventText, FormatListStarWithAMultiLineAuditMessage) {
  const auto r = read_fixture("events/formatlist_star_4625.txt");
  ASSERT_EQ(r.evidence.server_events.size(), 1u);
  const core::ServerEvent& ev = r.evidence.server_events[0];
  EXPECT_EQ(ev.id, 4625);
  EXPECT_EQ(ev.source, "Microsoft-Windows-Security-Auditing");
  EXPECT_EQ(ev.log, "Security");
  EXPECT_EQ(ev.host, "ces.lab.test");
  EXPECT_EQ(ev.level, "Audit Failure");
  EXPECT_EQ(ev.message.rfind("An account failed to log on.\n\nSubject:\n\tSecurity ID:", 0), 0u)
      << ev.message;
  EXPECT_NE(ev.message.find("\tSub Status:\t\t0xC000006A"), std::string::npos) << ev.message;
  EXPECT_EQ(ev.message.find("Id "), std::string::npos);  // the next field is not message text
}

TEST(InputEventText, EventViewerCopyDetailsAsText) {
  const auto r = read_fixture("events/eventviewer_copy.txt");
  ASSERT_EQ(r.evidence.server_events.size(), 1u);
  const core::ServerEvent& ev = r.evidence.server_events[0];
  expect_ca_event_53(ev);
  EXPECT_EQ(ev.message.rfind("Active Directory Certificate Services denied request 17", 0), 0u);
}

TEST(InputEventText, WevtutilText) {
  const auto r = read_fixture("events/wevtutil_text.txt");
  ASSERT_EQ(r.evidence.server_events.size(), 1u);
  const core::ServerEvent& ev = r.evidence.server_events[0];
  EXPECT_EQ(ev.id, 22);
  EXPECT_EQ(ev.level, "Error");
  EXPECT_EQ(ev.host, "ca.lab.test");
  EXPECT_EQ(ev.time, "2026-11-26T03:10:57.188");
  EXPECT_NE(ev.message.find("CERTSRV_E_BAD_REQUESTSUBJECT"), std::string::npos);
  EXPECT_NE(ev.message.find("Error Parsing Request"), std::string::npos);
}

// ---- every export form of CES events 8/9 and CEP event 14 -------------------
// The engine keys server events on provider + event id (message wording is
// localized, and modelled for CES), so every form must give those, and the
// log, level (in English) and host where the form shows them.

struct FormCase {
  std::string file;
  InputType type;
  std::string source;
  int id;
  std::string log;  // empty: the form does not show it
  std::string level;
  std::string host;
};

std::ostream& operator<<(std::ostream& out, const FormCase& c) {
  return out << c.file;
}

constexpr const char* kCes = "Microsoft-Windows-EnrollmentWebService";
constexpr const char* kCesLog = "Microsoft-Windows-EnrollmentWebService/Admin";
constexpr const char* kCesHost = "ces.lab.test";

class EveryExportForm : public ::testing::TestWithParam<FormCase> {};

TEST_P(EveryExportForm, GivesProviderIdLogLevelAndHost) {
  const FormCase& c = GetParam();
  const auto r = read_fixture("events/" + c.file);
  EXPECT_EQ(r.parsed.type, c.type);
  ASSERT_EQ(r.evidence.server_events.size(), 1u) << all_facts(r.parsed.facts);
  const core::ServerEvent& ev = r.evidence.server_events[0];
  EXPECT_EQ(ev.source, c.source);
  EXPECT_EQ(ev.id, c.id);
  EXPECT_EQ(ev.log, c.log);
  EXPECT_EQ(ev.level, c.level);
  EXPECT_EQ(ev.host, c.host);
  EXPECT_FALSE(ev.message.empty() && c.file.find("nodata") == std::string::npos);
}

const FormCase kForms[] = {
    {"ces9_wevtutil_xml.xml", InputType::event_xml, kCes, 9, kCesLog, "Error", kCesHost},
    {"ces8_wevtutil_xml_nodata.xml", InputType::event_xml, kCes, 8, kCesLog, "Error", kCesHost},
    {"ces9_wevtutil_rendered.xml", InputType::event_xml, kCes, 9, kCesLog, "Error", kCesHost},
    {"ces9_wevtutil_rendered_de.xml", InputType::event_xml, kCes, 9, kCesLog, "Error", kCesHost},
    {"ces9_eventviewer_saved.xml", InputType::event_xml, kCes, 9, kCesLog, "Error", kCesHost},
    {"convertto_xml_ces9.xml", InputType::event_xml, kCes, 9, kCesLog, "Error", kCesHost},
    {"cep14_wevtutil_rendered.xml", InputType::event_xml,
     "Microsoft-Windows-EnrollmentPolicyWebService", 14,
     "Microsoft-Windows-EnrollmentPolicyWebService/Admin", "Warning", "cep.lab.test"},
    {"ces9_wevtutil_text.txt", InputType::event_text, kCes, 9, kCesLog, "Error", kCesHost},
    {"ces9_wevtutil_text_de.txt", InputType::event_text, kCes, 9, kCesLog, "Error", kCesHost},
    {"ces9_wevtutil_text_fr.txt", InputType::event_text, kCes, 9, kCesLog, "Error", kCesHost},
    {"ces9_eventviewer_copy.txt", InputType::event_text, kCes, 9, kCesLog, "Error", kCesHost},
    {"ces8_eventviewer_copy_de.txt", InputType::event_text, kCes, 8, kCesLog, "Error", kCesHost},
    {"ces9_eventviewer_copy_fr.txt", InputType::event_text, kCes, 9, kCesLog, "Error", kCesHost},
    // Get-WinEvent's default list view shows TimeCreated, ProviderName, Id and
    // Message only: no log, level or host to read.
    {"ces9_formatlist_default.txt", InputType::event_text, kCes, 9, "", "", ""},
    {"ces9_formatlist_star.txt", InputType::event_text, kCes, 9, kCesLog, "Error", kCesHost},
    {"ces8_formatlist_star.txt", InputType::event_text, kCes, 8, kCesLog, "Error", kCesHost},
    {"ces9_formatlist_star_de.txt", InputType::event_text, kCes, 9, kCesLog, "Error", kCesHost},
    // Get-EventLog's list shows no log and no machine (Format-List * would).
    {"ces9_geteventlog_formatlist.txt", InputType::event_text, kCes, 9, "", "Error", ""},
    // Get-WinEvent's default table: the provider above it, Id and level in
    // columns; no log or host.
    {"ces9_getwinevent_table.txt", InputType::event_text, kCes, 9, "", "Error", ""},
    // Its table cuts the Source to the column: the provider is not known.
    {"ces9_geteventlog_table.txt", InputType::event_text, "", 9, "", "Error", ""},
};

INSTANTIATE_TEST_SUITE_P(CesAndCepEvents, EveryExportForm, ::testing::ValuesIn(kForms),
                         [](const auto& info) {
                           std::string n = info.param.file.substr(0, info.param.file.find('.'));
                           return n;
                         });

TEST(InputEventText, ATableWithACutSourceSaysSo) {
  const auto r = read_fixture("events/ces9_geteventlog_table.txt");
  EXPECT_TRUE(has_fact(r.parsed.facts, "the table cut the Source")) << all_facts(r.parsed.facts);
}

TEST(InputEventText, ClassicInstanceIdCarriesTheQualifiers) {
  core::Evidence e = empty_evidence();
  read_input("fl.txt",
             "Index              : 7\r\nEntryType          : Warning\r\n"
             "InstanceId         : 2147483701\r\nMessage            : x\r\n"
             "Source             : CertSvc\r\n",
             {}, e);
  ASSERT_EQ(e.server_events.size(), 1u);
  EXPECT_EQ(e.server_events[0].id, 53);  // 0x80000035
  EXPECT_EQ(e.server_events[0].level, "Warning");
}

// ---- the lab's own event log (events.jsonl of `ceslab serve`) ---------------

TEST(InputEventJsonl, TheMocksEventLogFromARealRun) {
  // Written by `ceslab serve --state-dir` during a wrong-password enroll and
  // an enroll for a template the CA does not issue.
  const auto r = read_fixture("events/lab_events.jsonl");
  EXPECT_EQ(r.parsed.type, InputType::event_jsonl);
  const auto& events = r.evidence.server_events;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].log, "Security");
  EXPECT_EQ(events[0].source, "Microsoft-Windows-Security-Auditing");
  EXPECT_EQ(events[0].id, 4625);
  EXPECT_EQ(events[0].host, "ces.lab.test");
  EXPECT_EQ(events[0].time, "2026-12-04T20:51:07.031Z");
  EXPECT_NE(events[0].message.find("\tSub Status:\t\t0xC000006A"), std::string::npos);
  expect_ca_event_53(events[1]);
  EXPECT_TRUE(has_fact(r.parsed.facts, "2 events in the lab's event log"))
      << all_facts(r.parsed.facts);
}

TEST(InputEventJsonl, ACompactEvidenceDocumentIsNotAnEventLog) {
  // One line, an object, but with a schema: the evidence reader's.
  EXPECT_EQ(detect_input_type(R"({"schema":"ceslab.evidence/1","operation":"enroll"})"),
            InputType::evidence_json);
  EXPECT_EQ(detect_input_type("{\n  \"schema\": \"ceslab.evidence/1\"\n}\n"),
            InputType::evidence_json);
}

TEST(InputEventJsonl, AMalformedLineIsAnInputErrorNamingFileAndLine) {
  const std::string good = testing::fixture_bytes("events/lab_events.jsonl");
  const std::string first = good.substr(0, good.find('\n') + 1);
  struct Bad {
    std::string line;
    std::string says;
  };
  for (const Bad& bad : {Bad{"{\"time\": \"x\", truncated", "is not a JSON object"},
                         Bad{R"({"time":"t","log":"l","source":"s","id":"53","level":"Error",)"
                             R"("host":"h","message":"m"})",
                             "'id' is not an integer"},
                         Bad{"[1, 2]", "not an object"}}) {
    core::Evidence e = empty_evidence();
    try {
      read_input("events.jsonl", first + "\n" + bad.line + "\n", InputType::event_jsonl, e);
      ADD_FAILURE() << bad.line;
    } catch (const InputError& error) {
      EXPECT_EQ(error.name(), "events.jsonl");
      EXPECT_NE(error.problem().find("line 3: "), std::string::npos) << error.what();
      EXPECT_NE(error.problem().find(bad.says), std::string::npos) << error.what();
    }
    EXPECT_TRUE(e.server_events.empty());  // nothing taken from a refused input
  }
}

// Event Viewer of Server 2003, as KB articles quote CA events: "Event Source:
// CertSvc", tab-separated, the text under "Description:".
TEST(InputEventText, ServerTwoThousandThreeCopy) {
  const auto r = read_fixture("events/eventviewer_2003_copy_ca53.txt");
  EXPECT_EQ(r.parsed.type, InputType::event_text);
  ASSERT_EQ(r.evidence.server_events.size(), 1u) << all_facts(r.parsed.facts);
  const core::ServerEvent& ev = r.evidence.server_events[0];
  EXPECT_EQ(ev.source, "CertSvc");
  EXPECT_EQ(ev.id, 53);
  EXPECT_EQ(ev.level, "Warning");
  EXPECT_EQ(ev.host, "CA");
  EXPECT_NE(ev.message.find("0x80094812"), std::string::npos) << ev.message;
}

}  // namespace
}  // namespace ceslab::diagnosis

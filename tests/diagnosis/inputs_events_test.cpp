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

TEST(InputEventXml, WevtutilOneEventWithoutRenderingInfo) {
  const auto r = read_fixture("events/wevtutil_ca53.xml");
  EXPECT_EQ(r.parsed.type, InputType::event_xml);
  ASSERT_EQ(r.evidence.server_events.size(), 1u);
  const core::ServerEvent& ev = r.evidence.server_events[0];
  EXPECT_EQ(ev.log, "Application");
  EXPECT_EQ(ev.source, "Microsoft-Windows-CertificationAuthority");
  EXPECT_EQ(ev.id, 53);
  EXPECT_EQ(ev.level, "Warning");
  EXPECT_EQ(ev.host, "ca.lab.test");
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
  EXPECT_EQ(ev.log, "Application");
  EXPECT_EQ(ev.source, "Microsoft-Windows-CertificationAuthority");
  EXPECT_EQ(ev.id, 53);
  EXPECT_EQ(ev.level, "Warning");
  EXPECT_EQ(ev.host, "ca.lab.test");
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

}  // namespace
}  // namespace ceslab::diagnosis

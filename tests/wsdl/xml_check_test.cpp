// SPDX-License-Identifier: GPL-2.0-or-later
// The facts the strict second reading (wsdl/src/xml_check.cpp) hands the
// codec: the header blocks marked mustUnderstand, the fault reason's
// xml:lang (as libxml2's xmlNodeGetLang finds it, inherited from ancestors),
// the base64 check of MS-XCEP's binary elements, and the UTF-8 rendering of
// a message in another encoding. Pinned here so that how the message is read
// (a tree, or SAX callbacks only) cannot change an answer.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ceslab/core/messages.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "xml_check.hpp"

namespace {

namespace uri = ceslab::core::uri;
using ceslab::wsdl::MessageError;
using ceslab::wsdl::MessageErrorKind;
using ceslab::wsdl::MessagePart;
using ceslab::wsdl::detail::check_xml;
using ceslab::wsdl::detail::XmlFacts;

using Blocks = std::vector<std::pair<std::string, std::string>>;

const std::string kS(uri::kSoap12Envelope);
const std::string kXcep(uri::kPolicyNs);
const std::string kXsi(uri::kXsiNs);

// An envelope (prefix s) with `header` and `body` as the Header's and the
// Body's content; `envelope_attrs` and `body_attrs` go on their start tags.
std::string envelope(std::string_view header, std::string_view body,
                     std::string_view envelope_attrs = "", std::string_view body_attrs = "") {
  return "<s:Envelope xmlns:s=\"" + kS + "\"" + std::string(envelope_attrs) + "><s:Header>" +
         std::string(header) + "</s:Header><s:Body" + std::string(body_attrs) + ">" +
         std::string(body) + "</s:Body></s:Envelope>";
}

// A SOAP 1.2 fault whose Reason holds `reason`; `fault_attrs` and
// `reason_attrs` go on the Fault's and the Reason's start tags.
std::string fault(std::string_view reason, std::string_view fault_attrs = "",
                  std::string_view reason_attrs = "") {
  return "<s:Fault" + std::string(fault_attrs) +
         "><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason" + std::string(reason_attrs) +
         ">" + std::string(reason) + "</s:Reason></s:Fault>";
}

// A GetPoliciesResponse fragment holding one CA certificate whose element
// carries `attrs` and `content` as written.
std::string ca_certificate(std::string_view content, std::string_view attrs = "") {
  return "<x:cAs xmlns:x=\"" + kXcep + "\" xmlns:xsi=\"" + kXsi +
         "\"><x:cA><x:uris/><x:certificate" + std::string(attrs) + ">" + std::string(content) +
         "</x:certificate></x:cA></x:cAs>";
}

MessageError error_of(const std::string& xml, std::size_t max_depth = 0) {
  try {
    check_xml(xml, max_depth);
  } catch (const MessageError& e) {
    return e;
  }
  throw std::logic_error("check_xml took the message");
}

std::optional<std::string> lang_of(const std::string& xml) {
  return check_xml(xml).fault_reason_lang;
}

// --- mustUnderstand ---------------------------------------------------------

TEST(XmlCheck, MustUnderstandTrueAndOneAreCollectedInDocumentOrder) {
  const XmlFacts facts =
      check_xml(envelope("<a:One xmlns:a=\"urn:a\" s:mustUnderstand=\"1\"/>"
                         "<b:Two xmlns:b=\"urn:b\" s:mustUnderstand=\"true\">text</b:Two>"
                         "<Three xmlns=\"urn:c\" s:mustUnderstand=\"&#49;\"/>",
                         ""));
  EXPECT_EQ(facts.must_understand_headers,
            (Blocks{{"urn:a", "One"}, {"urn:b", "Two"}, {"urn:c", "Three"}}));
}

TEST(XmlCheck, MustUnderstandOtherValuesAndOtherNamespacesAreNotCollected) {
  const XmlFacts facts = check_xml(
      envelope("<a:Zero xmlns:a=\"urn:a\" s:mustUnderstand=\"0\"/>"
               "<a:False xmlns:a=\"urn:a\" s:mustUnderstand=\"false\"/>"
               "<a:Upper xmlns:a=\"urn:a\" s:mustUnderstand=\"TRUE\"/>"
               "<a:Spaced xmlns:a=\"urn:a\" s:mustUnderstand=\" 1\"/>"
               "<a:Unqualified xmlns:a=\"urn:a\" mustUnderstand=\"1\"/>"
               "<a:Soap11 xmlns:a=\"urn:a\" xmlns:e=\"" +
                   std::string(uri::kSoap11Envelope) +
                   "\" e:mustUnderstand=\"1\"/>"
                   "<a:Outer xmlns:a=\"urn:a\"><a:Inner s:mustUnderstand=\"1\"/></a:Outer>",
               ""));
  EXPECT_TRUE(facts.must_understand_headers.empty());
}

TEST(XmlCheck, MustUnderstandCountsOnlyTheFirstSoapHeader) {
  const std::string xml =
      "<s:Envelope xmlns:s=\"" + kS +
      "\"><h:Header xmlns:h=\"urn:not-soap\"><a:NotSoap xmlns:a=\"urn:a\" "
      "s:mustUnderstand=\"1\"/></h:Header><s:Header><a:First "
      "xmlns:a=\"urn:a\" s:mustUnderstand=\"1\"/></s:Header><s:Header><a:Second "
      "xmlns:a=\"urn:a\" s:mustUnderstand=\"1\"/></s:Header><s:Body/></s:Envelope>";
  EXPECT_EQ(check_xml(xml).must_understand_headers, (Blocks{{"urn:a", "First"}}));
}

// An undeclared prefix is a namespace error, not a well-formedness one:
// libxml2 keeps the element, named with its prefix and in no namespace.
TEST(XmlCheck, MustUnderstandBlockWithAnUndeclaredPrefixKeepsItsQualifiedName) {
  const XmlFacts facts = check_xml(envelope("<p:Block s:mustUnderstand=\"1\"/>", ""));
  EXPECT_EQ(facts.must_understand_headers, (Blocks{{"", "p:Block"}}));
}

// --- the fault reason's xml:lang --------------------------------------------

// The request's MessageID, for a fault raised before gSOAP has read the
// Header (a block not understood may stand before it): the first
// WS-Addressing 1.0 MessageID header block's text, trimmed, in both readings
// (the ISO-8859-1 declaration takes the tree reading).
TEST(XmlCheck, MessageIdIsTheFirstAddressingMessageIdHeaderBlock) {
  const std::string wsa(uri::kAddressing);
  const std::string header =
      "<x:T xmlns:x=\"urn:x\" s:mustUnderstand=\"1\"/>"
      "<a:MessageID xmlns:a=\"" +
      wsa +
      "\">\n  urn:uuid:1<!-- c --></a:MessageID>"
      "<a:MessageID xmlns:a=\"" +
      wsa + "\">urn:uuid:2</a:MessageID>";
  EXPECT_EQ(check_xml(envelope(header, "")).message_id, "urn:uuid:1");
  EXPECT_EQ(check_xml("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + envelope(header, ""))
                .message_id,
            "urn:uuid:1");
  // Another namespace's MessageID (WS-Addressing 2004/08), or one in the Body, is not it.
  EXPECT_EQ(check_xml(envelope("<b:MessageID xmlns:b=\"http://schemas.xmlsoap.org/ws/2004/08/"
                               "addressing\">urn:uuid:3</b:MessageID>",
                               "<a:MessageID xmlns:a=\"" + wsa + "\">urn:uuid:4</a:MessageID>"))
                .message_id,
            std::nullopt);
}

TEST(XmlCheck, FaultReasonLangIsTheTextsOwn) {
  EXPECT_EQ(lang_of(envelope("", fault("<s:Text xml:lang=\"en-US\">no</s:Text>"))), "en-US");
}

TEST(XmlCheck, FaultReasonLangIsInheritedFromTheNearestAncestor) {
  const std::string text = "<s:Text>no</s:Text>";
  EXPECT_EQ(lang_of(envelope("", fault(text), " xml:lang=\"de-DE\"")), "de-DE");
  EXPECT_EQ(lang_of(envelope("", fault(text), "", " xml:lang=\"fr-FR\"")), "fr-FR");
  EXPECT_EQ(lang_of(envelope("", fault(text, " xml:lang=\"it\""))), "it");
  EXPECT_EQ(lang_of(envelope("", fault(text, " xml:lang=\"it\"", " xml:lang=\"es\""),
                             " xml:lang=\"de-DE\"")),
            "es");
  // A sibling's xml:lang is no ancestor's.
  EXPECT_EQ(lang_of(envelope("<a:H xmlns:a=\"urn:a\" xml:lang=\"nl\"/>", fault(text))),
            std::nullopt);
  EXPECT_EQ(lang_of(envelope("", fault(text))), std::nullopt);
}

TEST(XmlCheck, FaultReasonLangEmptyOverridesAnInheritedOne) {
  EXPECT_EQ(lang_of(envelope("", fault("<s:Text xml:lang=\"\">no</s:Text>"), " xml:lang=\"en\"")),
            "");
}

TEST(XmlCheck, FaultReasonLangKeepsEntitiesDecoded) {
  EXPECT_EQ(lang_of(envelope("", fault("<s:Text xml:lang=\"en&amp;x&#38;&lt;y\">no</s:Text>"))),
            "en&x&<y");
}

TEST(XmlCheck, FaultReasonLangIsTheFirstTextsOfTheFirstReasonOfTheFirstFault) {
  EXPECT_EQ(
      lang_of(envelope("", fault("<x:Text xmlns:x=\"urn:x\" xml:lang=\"xx\"/>"
                                 "<s:Text>first</s:Text><s:Text xml:lang=\"de\">2</s:Text>"))),
      std::nullopt);
  EXPECT_EQ(lang_of(envelope("", fault("<x:Other xmlns:x=\"urn:x\"/><s:Text "
                                       "xml:lang=\"pl\">first</s:Text><s:Text xml:lang=\"de\"/>"))),
            "pl");
  const std::string two_reasons =
      "<s:Fault><s:Reason><s:Text>one</s:Text></s:Reason><s:Reason><s:Text "
      "xml:lang=\"de\">two</s:Text></s:Reason></s:Fault>";
  EXPECT_EQ(lang_of(envelope("", two_reasons)), std::nullopt);
  const std::string two_faults =
      fault("<s:Text>one</s:Text>") + fault("<s:Text xml:lang=\"de\">two</s:Text>");
  EXPECT_EQ(lang_of(envelope("", two_faults)), std::nullopt);
}

TEST(XmlCheck, FaultReasonLangNeedsTheFaultDirectlyInTheBody) {
  EXPECT_EQ(lang_of(envelope("", "<w:Wrap xmlns:w=\"urn:w\">" +
                                     fault("<s:Text xml:lang=\"en\">no</s:Text>") + "</w:Wrap>")),
            std::nullopt);
  // The first Body only; a Fault in the Header is no fault.
  EXPECT_EQ(lang_of(envelope(fault("<s:Text xml:lang=\"en\">no</s:Text>"), "")), std::nullopt);
  const std::string second_body = "<s:Envelope xmlns:s=\"" + kS + "\"><s:Body/><s:Body>" +
                                  fault("<s:Text xml:lang=\"en\">no</s:Text>") +
                                  "</s:Body></s:Envelope>";
  EXPECT_EQ(lang_of(second_body), std::nullopt);
}

// --- base64 of MS-XCEP's binary elements -------------------------------------

TEST(XmlCheck, Base64IsReadFromCdataCharacterReferencesAndChildText) {
  EXPECT_NO_THROW(check_xml(envelope("", ca_certificate("<![CDATA[QUJD]]>"))));
  EXPECT_NO_THROW(check_xml(envelope("", ca_certificate("QU&#74;D"))));
  EXPECT_NO_THROW(check_xml(envelope("", ca_certificate("\r\n  QU<![CDATA[JD]]>\r\n  "))));
  EXPECT_NO_THROW(check_xml(envelope("", ca_certificate("QU<y:i xmlns:y=\"urn:y\">JD</y:i>"))));
  EXPECT_EQ(error_of(envelope("", ca_certificate("<![CDATA[QU!D]]>"))).kind(),
            MessageErrorKind::invalid_base64);
  EXPECT_EQ(error_of(envelope("", ca_certificate("QU<y:i xmlns:y=\"urn:y\">!!</y:i>JD"))).kind(),
            MessageErrorKind::invalid_base64);
}

TEST(XmlCheck, Base64LeavesOutCommentsAndProcessingInstructions) {
  EXPECT_NO_THROW(check_xml(envelope("", ca_certificate("QU<!--!!-->JD"))));
  EXPECT_NO_THROW(check_xml(envelope("", ca_certificate("QU<?pi !!?>JD"))));
}

TEST(XmlCheck, Base64OfANilElementIsNotChecked) {
  EXPECT_NO_THROW(check_xml(envelope("", ca_certificate("!!", " xsi:nil=\"true\""))));
  EXPECT_NO_THROW(check_xml(envelope("", ca_certificate("!!", " xsi:nil=\" 1 \""))));
  EXPECT_EQ(error_of(envelope("", ca_certificate("!!", " xsi:nil=\"false\""))).kind(),
            MessageErrorKind::invalid_base64);
  EXPECT_EQ(error_of(envelope("", ca_certificate("!!", " nil=\"true\""))).kind(),
            MessageErrorKind::invalid_base64);
}

TEST(XmlCheck, Base64IsCheckedOnlyWhereTheSchemaSaysBinary) {
  // In the header, or under another parent: not xs:base64Binary there.
  EXPECT_NO_THROW(check_xml(envelope(ca_certificate("!!"), "")));
  EXPECT_NO_THROW(check_xml(envelope(
      "", "<x:other xmlns:x=\"" + kXcep + "\"><x:certificate>!!</x:certificate></x:other>")));
  EXPECT_EQ(error_of(envelope("", "<x:extensions xmlns:x=\"" + kXcep +
                                      "\"><x:extension><x:oId>1.2</x:oId><x:value>!!</x:value>"
                                      "</x:extension></x:extensions>"))
                .kind(),
            MessageErrorKind::invalid_base64);
}

// The outer element is checked before what it contains, in document order.
TEST(XmlCheck, Base64ErrorsAreReportedOuterElementFirst) {
  const std::string inner = "<x:cA><x:certificate>QU$D</x:certificate></x:cA>";
  const MessageError e = error_of(envelope("", ca_certificate("#" + inner)));
  EXPECT_EQ(e.kind(), MessageErrorKind::invalid_base64);
  EXPECT_NE(std::string(e.what()).find("'#'"), std::string::npos) << e.what();
}

// Well-formedness first: a bad base64 followed by a bad end tag is malformed.
TEST(XmlCheck, MalformedXmlWinsOverBadBase64) {
  std::string xml = envelope("", ca_certificate("!!"));
  xml.replace(xml.rfind("</s:Body>"), 9, "</s:Bod>");
  const MessageError e = error_of(xml);
  EXPECT_EQ(e.kind(), MessageErrorKind::malformed_xml) << e.what();
  EXPECT_EQ(e.part(), MessagePart::body) << e.what();
}

// --- encodings --------------------------------------------------------------

TEST(XmlCheck, Utf8MessagesAreNotRewritten) {
  const std::string body = envelope("", "<a:B xmlns:a=\"urn:a\">\xC3\xA9</a:B>");
  EXPECT_EQ(check_xml(body).utf8_text, std::nullopt);
  EXPECT_EQ(check_xml("\xEF\xBB\xBF" + body).utf8_text, std::nullopt);
  EXPECT_EQ(check_xml("<?xml version=\"1.0\"?>" + body).utf8_text, std::nullopt);
  EXPECT_EQ(check_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + body).utf8_text, std::nullopt);
  EXPECT_EQ(check_xml("<?xml version='1.0' encoding='utf-8' standalone='yes'?>" + body).utf8_text,
            std::nullopt);
}

TEST(XmlCheck, OtherEncodingsAreRewrittenAsUtf8) {
  const std::string latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" +
                             envelope("", "<a:B xmlns:a=\"urn:a\">\xE9</a:B>");
  const XmlFacts facts = check_xml(latin1);
  ASSERT_TRUE(facts.utf8_text);
  EXPECT_NE(facts.utf8_text->find("<a:B xmlns:a=\"urn:a\">\xC3\xA9</a:B>"), std::string::npos)
      << *facts.utf8_text;
  // libxml2 keeps the declared name; only "UTF-8" itself is UTF-8 to it.
  EXPECT_TRUE(check_xml("<?xml version=\"1.0\" encoding=\"UTF8\"?>" + envelope("", "")).utf8_text);

  std::string utf16 = "\xFF\xFE";
  for (char c : envelope("", fault("<s:Text xml:lang=\"en\">no</s:Text>"))) {
    utf16 += c;
    utf16 += '\0';
  }
  const XmlFacts wide = check_xml(utf16);
  ASSERT_TRUE(wide.utf8_text);
  EXPECT_NE(wide.utf8_text->find("<s:Text xml:lang=\"en\">no</s:Text>"), std::string::npos);
  EXPECT_EQ(wide.fault_reason_lang, "en");
}

// --- where errors are met -----------------------------------------------------

TEST(XmlCheck, DepthQuotaCountsTheRootAsOneAndSaysWhere) {
  const std::string xml = envelope("<a:H xmlns:a=\"urn:a\"/>", "<a:B xmlns:a=\"urn:a\"/>");
  EXPECT_NO_THROW(check_xml(xml, 3));
  const MessageError e = error_of(xml, 2);
  EXPECT_EQ(e.kind(), MessageErrorKind::quota_exceeded) << e.what();
  EXPECT_EQ(e.part(), MessagePart::headers) << e.what();
  const MessageError in_body = error_of(envelope("", "<a:B xmlns:a=\"urn:a\"><a:C/></a:B>"), 3);
  EXPECT_EQ(in_body.kind(), MessageErrorKind::quota_exceeded) << in_body.what();
  EXPECT_EQ(in_body.part(), MessagePart::body) << in_body.what();
}

TEST(XmlCheck, MalformedXmlCarriesLibxml2sWords) {
  const MessageError e = error_of(envelope("<a:H xmlns:a=\"urn:a\"></a:X>", ""));
  EXPECT_EQ(e.kind(), MessageErrorKind::malformed_xml);
  EXPECT_EQ(e.part(), MessagePart::headers);
  EXPECT_NE(std::string(e.what()).find("line 1: Opening and ending tag mismatch: H line 1 and X"),
            std::string::npos)
      << e.what();
  EXPECT_EQ(error_of("").kind(), MessageErrorKind::malformed_xml);
  EXPECT_EQ(error_of(envelope("", "") + "<extra/>").kind(), MessageErrorKind::malformed_xml);
  EXPECT_EQ(error_of(envelope("", "&undefined;")).kind(), MessageErrorKind::malformed_xml);
}

TEST(XmlCheck, DoctypeIsRefusedBeforeItsSubsetIsRead) {
  const MessageError e =
      error_of("<!DOCTYPE s:Envelope [<!ENTITY e \"x\">]>" + envelope("", "&e;"));
  EXPECT_EQ(e.kind(), MessageErrorKind::doctype_refused) << e.what();
  EXPECT_EQ(e.part(), MessagePart::headers);
}

}  // namespace

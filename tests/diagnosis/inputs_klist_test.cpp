// SPDX-License-Identifier: GPL-2.0-or-later
// klist: the TGT's forwardable flag and the CES service ticket's
// ok-as-delegate flag, from MIT (captured from a real MIT KDC) and Windows
// output.
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

#include "inputs_test_support.hpp"

namespace ceslab::diagnosis {
namespace {

using testing::all_facts;
using testing::has_fact;
using testing::read_fixture;

struct Flags {
  const char* file;
  bool forwardable;
  bool ok_as_delegate;
};

class KlistFlags : public ::testing::TestWithParam<Flags> {};

TEST_P(KlistFlags, TgtForwardableAndServiceOkAsDelegate) {
  const Flags& f = GetParam();
  const auto r = read_fixture(f.file);
  EXPECT_EQ(r.parsed.type, InputType::klist);
  EXPECT_EQ(r.evidence.kerberos.forwardable, f.forwardable) << all_facts(r.parsed.facts);
  EXPECT_EQ(r.evidence.kerberos.ok_as_delegate, f.ok_as_delegate) << all_facts(r.parsed.facts);
  EXPECT_TRUE(
      has_fact(r.parsed.facts, std::string("TGT forwardable: ") + (f.forwardable ? "yes" : "no")));
  // klist says nothing about the enrollment itself.
  EXPECT_EQ(r.evidence.auth, std::nullopt);
  EXPECT_FALSE(r.evidence.kerberos.delegated);
}

INSTANTIATE_TEST_SUITE_P(MitAndWindows, KlistFlags,
                         ::testing::Values(Flags{"klist/mit_ok.txt", true, true},
                                           Flags{"klist/mit_not_forwardable.txt", false, true},
                                           Flags{"klist/mit_no_ok_as_delegate.txt", true, false},
                                           Flags{"klist/windows_ok.txt", true, true},
                                           Flags{"klist/windows_not_forwardable.txt", false, true},
                                           Flags{"klist/windows_no_ok_as_delegate.txt", true,
                                                 false}));

TEST(InputKlist, MitFactsNameTheTickets) {
  const auto r = read_fixture("klist/mit_ok.txt");
  EXPECT_TRUE(has_fact(r.parsed.facts, "klist -f (MIT): client alice@LAB.TEST, 2 tickets"))
      << all_facts(r.parsed.facts);
  EXPECT_TRUE(has_fact(r.parsed.facts, "TGT krbtgt/LAB.TEST@LAB.TEST flags FRIA"));
  EXPECT_TRUE(has_fact(r.parsed.facts, "service ticket HTTP/ces.lab.test@LAB.TEST flags FRATO"));
}

TEST(InputKlist, SeveralHttpTicketsNeedTheEndpoint) {
  const auto alone = read_fixture("klist/windows_two_http.txt");
  EXPECT_FALSE(alone.evidence.kerberos.ok_as_delegate);
  EXPECT_TRUE(alone.evidence.kerberos.forwardable);
  EXPECT_TRUE(has_fact(alone.parsed.facts, "disagree on ok_as_delegate"));

  // With the CES URL known from an earlier input, the right ticket is taken.
  core::Evidence e = empty_evidence();
  read_input("certreq.txt",
             "certreq -submit -config \"https://ces.lab.test/Lab%20Issuing%20CA_CES_Kerberos/"
             "service.svc/CES\" req.csr\r\nAccess is denied. 0x80070005 (WIN32: 5 "
             "ERROR_ACCESS_DENIED)\r\n",
             {}, e);
  read_input_file(testing::input_fixture("klist/windows_two_http.txt"), {}, e);
  EXPECT_EQ(e.kerberos.ok_as_delegate, false);
}

TEST(InputKlist, EmptyCacheIsAnInputError) {
  core::Evidence e = empty_evidence();
  EXPECT_THROW(read_input_file(testing::input_fixture("klist/windows_empty.txt"), {}, e),
               InputError);
}

}  // namespace
}  // namespace ceslab::diagnosis

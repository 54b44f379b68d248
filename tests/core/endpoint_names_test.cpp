// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/endpoint_names.hpp"

#include <gtest/gtest.h>

namespace ceslab::core {
namespace {

TEST(EndpointNames, PathsAreNamedAsWindowsNamesThem) {
  EXPECT_EQ(endpoint_path(Service::ces, AuthMode::username, "Lab Issuing CA"),
            "/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES");
  EXPECT_EQ(endpoint_path(Service::ces, AuthMode::kerberos, "CA"),
            "/CA_CES_Kerberos/service.svc/CES");
  EXPECT_EQ(endpoint_path(Service::cep, AuthMode::certificate, "CA"),
            "/ADPolicyProvider_CEP_Certificate/service.svc/CEP");
}

TEST(EndpointNames, ModesHaveTheirWindowsFlagAndCliNames) {
  // MS-XCEP 3.1.4.1.3.5 clientAuthentication: 1 anonymous, 2 Kerberos,
  // 4 UsernamePassword, 8 certificate.
  for (const auto& [flag, mode, iis, cli] :
       {std::tuple{1u, AuthMode::anonymous, "Anonymous", "anonymous"},
        std::tuple{2u, AuthMode::kerberos, "Kerberos", "kerberos"},
        std::tuple{4u, AuthMode::username, "UsernamePassword", "username"},
        std::tuple{8u, AuthMode::certificate, "Certificate", "cert"}}) {
    EXPECT_EQ(auth_mode_from_flag(flag), mode);
    EXPECT_EQ(iis_name(mode), iis);
    EXPECT_EQ(cli_name(mode), cli);
    EXPECT_EQ(auth_mode_from_cli_name(cli), mode);
  }
  EXPECT_FALSE(auth_mode_from_flag(0));
  EXPECT_FALSE(auth_mode_from_flag(3));
  EXPECT_FALSE(auth_mode_from_cli_name("Kerberos"));
  EXPECT_EQ(auth_mode_from_iis_name("usernamepassword"), AuthMode::username);
  // No CES or CEP application is anonymous.
  EXPECT_FALSE(auth_mode_from_iis_name("Anonymous"));
}

TEST(EndpointNames, EveryPathItBuildsReadsBack) {
  for (const Service service : {Service::ces, Service::cep}) {
    for (const AuthMode mode : {AuthMode::kerberos, AuthMode::username, AuthMode::certificate}) {
      const EndpointNameResult read =
          read_endpoint_path(endpoint_path(service, mode, "Lab Issuing CA") + "?wsdl");
      ASSERT_TRUE(read.name);
      EXPECT_EQ(read.name->service, service);
      EXPECT_EQ(read.name->mode, mode);
    }
  }
}

TEST(EndpointNames, ReadingAPathSaysWhatIsMissing) {
  const EndpointNameResult kbr =
      read_endpoint_path("/KeyBasedRenewal_ADPolicyProvider_CEP_Certificate/service.svc/cep");
  ASSERT_TRUE(kbr.name);
  EXPECT_EQ(kbr.name->service, Service::cep);
  EXPECT_EQ(kbr.name->mode, AuthMode::certificate);

  EXPECT_EQ(read_endpoint_path("/CA_CES_Kerberos/service.svc").problem,
            EndpointNameProblem::no_service);
  EXPECT_EQ(read_endpoint_path("/service.svc/CES").problem, EndpointNameProblem::no_service);
  const EndpointNameResult no_mode = read_endpoint_path("/CA_CES_Basic/service.svc/CES");
  EXPECT_FALSE(no_mode.name);
  EXPECT_EQ(no_mode.problem, EndpointNameProblem::no_auth_suffix);
  EXPECT_EQ(no_mode.application, "CA_CES_Basic");
  // A CEP application under a CES service name is not a CES endpoint.
  EXPECT_EQ(read_endpoint_path("/ADPolicyProvider_CEP_Kerberos/service.svc/CES").problem,
            EndpointNameProblem::no_auth_suffix);
}

TEST(EndpointNames, UrlsInTextAreReadLeniently) {
  const std::string url = "https://ces.lab.test/CA_CES_Kerberos/service.svc/CES";
  EXPECT_EQ(auth_mode_in_url(url), AuthMode::kerberos);
  EXPECT_TRUE(looks_like_ces_url(url));
  EXPECT_FALSE(looks_like_cep_url(url));
  EXPECT_EQ(auth_mode_in_url("https://h/ADPolicyProvider_CEP_usernamepassword/"),
            AuthMode::username);
  EXPECT_TRUE(looks_like_cep_url("https://h/ADPolicyProvider_CEP_Kerberos"));
  EXPECT_FALSE(auth_mode_in_url("https://h/certsrv/"));
}

}  // namespace
}  // namespace ceslab::core

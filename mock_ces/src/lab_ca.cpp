// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/lab_ca.hpp"

#include <stdexcept>

#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/x509.hpp"

namespace ceslab::mock {
namespace {

core::CertificateAuthority load_or_create(const std::filesystem::path& cert_path,
                                          const std::filesystem::path& key_path,
                                          const CaSettings& settings) {
  const bool have_cert = std::filesystem::exists(cert_path);
  const bool have_key = std::filesystem::exists(key_path);
  if (have_cert != have_key) {
    throw std::runtime_error((have_cert ? key_path : cert_path).string() + ": missing, but " +
                             (have_cert ? cert_path : key_path).string() +
                             " exists; refusing to replace half of the lab CA (move both away "
                             "to start a new CA)");
  }
  if (have_cert) {
    std::vector<core::X509Ptr> certs = core::read_certificates_pem(cert_path);
    if (certs.empty()) throw std::runtime_error(cert_path.string() + ": no certificate in it");
    core::EvpPkeyPtr key = core::read_private_key_pem(key_path);
    if (!core::certificate_matches_key(certs.front().get(), key.get())) {
      throw std::runtime_error(key_path.string() + ": does not belong to the CA certificate in " +
                               cert_path.string());
    }
    return core::CertificateAuthority(std::move(certs.front()), std::move(key));
  }
  core::CaOptions options;
  options.subject = settings.subject;
  options.key = core::KeySpec::parse(settings.key);
  options.validity = std::chrono::hours(24 * 365) * settings.validity_years;
  options.policy_oids = settings.policy_oids;
  core::CertificateAuthority ca = core::CertificateAuthority::create(options);
  // Key first: a crash between the two writes leaves a key without a
  // certificate, which the next start refuses rather than half-reuses.
  core::write_private_key_pem(key_path, ca.key());
  core::write_certificates_pem(cert_path, {ca.certificate()});
  return ca;
}

std::uintmax_t size_or_zero(const std::filesystem::path& file) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  return ec ? 0 : size;
}

// A CA never reuses a request id. A state directory that kept its CA but
// lost its request database, deleted or truncated to nothing, would number
// its requests from 1 again: refused, with what to do. (A store whose main
// file is empty while its write-ahead log holds the data is a store a crash
// interrupted, and SQLite recovers it.)
void check_store_kept(const std::filesystem::path& store, const std::filesystem::path& ca_file) {
  const bool missing = !std::filesystem::exists(store);
  const bool empty =
      !missing && size_or_zero(store) == 0 && size_or_zero(store.string() + "-wal") == 0;
  if (!missing && !empty) return;
  throw std::runtime_error(
      store.string() + ": " + (missing ? "missing" : "empty") + ", but the lab CA in " +
      ca_file.string() +
      " exists: its request ids would start again at 1, and a CA never reuses one. Restore " +
      store.filename().string() + ", or move " + LabCa::kCertificateFile + " and " +
      LabCa::kKeyFile + " away too to start a new CA");
}

}  // namespace

LabCa LabCa::open(const std::filesystem::path& state_dir, const CaSettings& settings) {
  std::filesystem::create_directories(state_dir);
  const auto cert_path = state_dir / kCertificateFile;
  const auto key_path = state_dir / kKeyFile;
  const auto store_path = state_dir / kStoreFile;
  if (std::filesystem::exists(cert_path) || std::filesystem::exists(key_path)) {
    check_store_kept(store_path, std::filesystem::exists(cert_path) ? cert_path : key_path);
  }
  // The store before a new CA: a crash between the two leaves a store that
  // the next CA takes over (its ids go on), never a CA without its store.
  RequestStore store = RequestStore::open(store_path);
  core::CertificateAuthority authority = load_or_create(cert_path, key_path, settings);
  return LabCa(std::move(authority), std::move(store), cert_path, settings.name);
}

const X509* LabCa::exchange_certificate() {
  std::lock_guard lock(exchange_->mutex);
  if (!exchange_->certificate) {
    core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("rsa2048"));
    core::IssueOptions options;
    options.subject = "CN=" + ca_name_ + "-Xchg";
    options.ekus = {"1.3.6.1.4.1.311.21.5"};  // szOID_KP_CA_EXCHANGE
    options.validity = std::chrono::hours(24 * 7);
    exchange_->certificate = authority_.issue(key.get(), options);
  }
  return exchange_->certificate.get();
}

std::string LabCa::enter_failed(std::uint32_t hresult, std::string disposition_message) {
  StoredRequest row;
  row.disposition = Disposition::failed;
  row.status_code = static_cast<std::int32_t>(hresult);
  row.disposition_message = std::move(disposition_message);
  return std::to_string(store_.add(std::move(row)));
}

}  // namespace ceslab::mock

// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/pem.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace ceslab::core {

namespace {

struct PemBlock {
  std::string name;
  bool encrypted = false;  // traditional "Proc-Type: 4,ENCRYPTED" header
  Bytes data;
};

// Every PEM block in `text`. Throws CryptoError if a block is damaged
// (bad base64, missing END line); no blocks at all gives an empty list.
std::vector<PemBlock> pem_blocks(std::string_view text, const std::string& source) {
  std::vector<PemBlock> blocks;
  if (text.empty()) return blocks;
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw CryptoError("allocate BIO");
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      const unsigned long err = ERR_peek_last_error();
      if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        ERR_clear_error();  // no further block: the normal end
        break;
      }
      throw CryptoError("read PEM block " + std::to_string(blocks.size() + 1) + " of " + source);
    }
    PemBlock block;
    block.name = name;
    block.encrypted =
        header != nullptr && std::string_view(header).find("ENCRYPTED") != std::string_view::npos;
    block.data.assign(data, data + len);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    blocks.push_back(std::move(block));
  }
  return blocks;
}

std::string block_names(const std::vector<PemBlock>& blocks) {
  std::string out;
  for (const auto& b : blocks) out += (out.empty() ? "" : ", ") + b.name;
  return out;
}

std::vector<X509Ptr> parse_certificates(std::string_view text, const std::string& source) {
  const std::string op = "read certificates from " + source;
  const auto blocks = pem_blocks(text, source);
  if (blocks.empty()) throw CryptoError(op, "not PEM (no -----BEGIN line)");
  std::vector<X509Ptr> certs;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].name != PEM_STRING_X509 && blocks[i].name != PEM_STRING_X509_OLD) continue;
    const Bytes& der = blocks[i].data;
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert || p != der.data() + der.size())
      throw CryptoError(op + " (block " + std::to_string(i + 1) + ")");
    certs.push_back(std::move(cert));
  }
  if (certs.empty())
    throw CryptoError(op, "wrong type: found " + block_names(blocks) + ", expected CERTIFICATE");
  return certs;
}

EvpPkeyPtr parse_private_key(std::string_view text, const std::string& source) {
  const std::string op = "read private key from " + source;
  const auto blocks = pem_blocks(text, source);
  if (blocks.empty()) throw CryptoError(op, "not PEM (no -----BEGIN line)");
  for (const auto& block : blocks) {
    if (block.name == PEM_STRING_PKCS8)
      throw CryptoError(op, "encrypted private keys are not supported");
    if (block.name != PEM_STRING_PKCS8INF && block.name != PEM_STRING_RSA &&
        block.name != PEM_STRING_ECPRIVATEKEY)
      continue;
    if (block.encrypted) throw CryptoError(op, "encrypted private keys are not supported");
    // d2i_AutoPrivateKey takes PKCS#8 and the traditional RSA/EC forms.
    const unsigned char* p = block.data.data();
    EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(block.data.size())));
    if (!key) throw CryptoError(op + " (" + block.name + " block)");
    return key;
  }
  throw CryptoError(op, "wrong type: found " + block_names(blocks) + ", expected a PRIVATE KEY");
}

std::string quoted(const std::filesystem::path& path) {
  return "'" + path.string() + "'";
}

[[noreturn]] void throw_os(const std::string& what, const std::filesystem::path& path) {
  throw std::filesystem::filesystem_error(what, path,
                                          std::error_code(errno, std::generic_category()));
}

// Owns a file descriptor for the few lines that use one.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string read_file(const std::filesystem::path& path, const std::string& what) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_os(what, path);
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_os(what, path);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

// open(O_CREAT) applies `mode` only to a new file; fchmod also fixes an
// existing one before any content reaches it.
void write_file(const std::filesystem::path& path, std::string_view content, mode_t mode,
                const std::string& what) {
  Fd fd(::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, mode));
  if (fd.get() < 0) throw_os(what, path);
  if (::fchmod(fd.get(), mode) != 0) throw_os(what + " (chmod)", path);
  while (!content.empty()) {
    const ssize_t n = ::write(fd.get(), content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_os(what, path);
    content.remove_prefix(static_cast<size_t>(n));
  }
  if (::close(fd.release()) != 0) throw_os(what + " (close)", path);
}

// Key text is wiped once written so it does not linger in freed memory.
struct Wiped {
  std::string text;
  ~Wiped() { OPENSSL_cleanse(text.data(), text.size()); }
};

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

std::string certificate_to_pem(const X509* cert) {
  if (cert == nullptr) throw std::invalid_argument("certificate_to_pem: null certificate");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) throw CryptoError("write certificate PEM");
  return bio_text(bio.get());
}

std::vector<X509Ptr> certificates_from_pem(std::string_view pem) {
  return parse_certificates(pem, "PEM text");
}

std::string private_key_to_pem(EVP_PKEY* key) {
  if (key == nullptr) throw std::invalid_argument("private_key_to_pem: null key");
  BioPtr bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_PrivateKey writes PKCS#8 ("PRIVATE KEY") in OpenSSL 3.
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw CryptoError("write private key PEM");
  std::string text = bio_text(bio.get());
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  OPENSSL_cleanse(data, static_cast<size_t>(len));
  return text;
}

EvpPkeyPtr private_key_from_pem(std::string_view pem) {
  return parse_private_key(pem, "PEM text");
}

void write_private_key_pem(const std::filesystem::path& path, EVP_PKEY* key) {
  Wiped pem{private_key_to_pem(key)};
  write_file(path, pem.text, 0600, "write private key");
}

EvpPkeyPtr read_private_key_pem(const std::filesystem::path& path) {
  Wiped text{read_file(path, "read private key")};
  return parse_private_key(text.text, quoted(path));
}

void write_certificates_pem(const std::filesystem::path& path,
                            const std::vector<const X509*>& certs) {
  if (certs.empty())
    throw std::invalid_argument("write_certificates_pem: no certificates for " + quoted(path));
  std::string text;
  for (const X509* cert : certs) text += certificate_to_pem(cert);
  write_file(path, text, 0644, "write certificates");
}

std::vector<X509Ptr> read_certificates_pem(const std::filesystem::path& path) {
  return parse_certificates(read_file(path, "read certificates"), quoted(path));
}

}  // namespace ceslab::core

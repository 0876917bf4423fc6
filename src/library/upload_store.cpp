#include "library/upload_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "audio/decoder.hpp"
#include "audio/format_sniffer.hpp"
#include "audio/transcoder.hpp"
#include "crypto/blake3.hpp"
#include "model/errors.hpp"
#include "util/random.hpp"

namespace st::library {

namespace fs = std::filesystem;

std::string safe_file_name(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' || c == '"' ||
        c == '<' || c == '>' || c == '|')
      out.push_back('_');
    else
      out.push_back(static_cast<char>(c));
  }
  while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > 150) {
    auto dot = out.rfind('.');
    std::string ext = dot != std::string::npos && out.size() - dot <= 10 ? out.substr(dot) : "";
    out = out.substr(0, 150 - ext.size());
    // Do not cut a UTF-8 sequence in half.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0xC0) out.pop_back();
    out += ext;
  }
  if (out.empty()) out = "upload";
  return out;
}

UploadStore::UploadStore(std::string root, std::string journal_dir)
    : root_(std::move(root)), journal_dir_(std::move(journal_dir)) {
  std::error_code ec;
  fs::create_directories(journal_dir_, ec);
}

namespace {

// One intent file per kept path, named after it, so settling needs no lookup.
fs::path intent_for(const std::string& dir, const std::string& path) {
  return fs::path(dir) / (crypto::to_hex(crypto::blake3(path)).substr(0, 32) + ".intent");
}

}  // namespace

void UploadStore::journal(const std::string& path) {
  // Durable before the file appears under its final name: a crash can leave an intent without a file
  // (harmless), never a file without an intent.
  auto intent = intent_for(journal_dir_, path);
  int fd = ::open(intent.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write the upload journal in " + journal_dir_);
  bool ok = ::write(fd, path.data(), path.size()) == static_cast<ssize_t>(path.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write the upload journal in " + journal_dir_);
}

void UploadStore::settled(const std::string& path) {
  std::error_code ec;
  fs::remove(intent_for(journal_dir_, path), ec);
}

std::size_t UploadStore::sweep(const std::function<bool(const std::string&)>& has_row) {
  std::size_t removed = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(journal_dir_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::ifstream in(it->path(), std::ios::binary);
    std::string path((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::error_code rm;
    // Only paths inside the storage are ever removed, whatever the journal says.
    if (!path.empty() && path.rfind(root_ + "/", 0) == 0 && path.find("/../") == std::string::npos &&
        fs::exists(path, rm) && !has_row(path) && fs::remove(path, rm))
      ++removed;
    fs::remove(it->path(), rm);
  }
  return removed;
}

std::string UploadStore::keep(const std::string& received, std::string_view client_name, std::string_view user_id) {
  fs::path dir = fs::path(root_) / std::string(user_id);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  std::string name = safe_file_name(client_name);
  fs::path target = dir / name;
  // Claim the name atomically (O_EXCL), then replace the empty placeholder with the data.
  for (int attempt = 0;; ++attempt) {
    int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      break;
    }
    if (errno != EEXIST || attempt > 20) throw std::runtime_error("cannot create " + target.string());
    fs::path p(name);
    target = dir / (p.stem().string() + "_" + util::random_hex(4) + p.extension().string());
  }
  try {
    journal(target.string());
  } catch (...) {
    fs::remove(target, ec);
    throw;
  }
  fs::rename(received, target, ec);
  if (ec) {  // another filesystem: copy, then drop the received file
    fs::copy_file(received, target, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      std::error_code rm;
      fs::remove(target, rm);
      settled(target.string());
      // The copy may report a full disk as an I/O error (sendfile): ask the filesystem itself.
      std::error_code sc;
      auto size = fs::file_size(received, sc);
      bool full = ec == std::errc::no_space_on_device || ec == std::errc::file_too_large ||
                  (!sc && fs::space(dir, sc).available < size + (1 << 20));
      if (full)
        throw model::DomainError(model::ErrorKind::insufficient_storage,
                                 "The music storage is full: free some space, then upload again");
      throw std::runtime_error("cannot store the upload: " + ec.message());
    }
    fs::remove(received, ec);
  }
  return target.string();
}

std::string UploadStore::playable(const std::string& stored) {
  if (audio::sniff_file(stored) != audio::AudioFormat::aiff) return stored;
  fs::path target = fs::path(stored).replace_extension(".flac");
  std::error_code ec;
  if (fs::exists(target, ec))
    target = fs::path(stored).replace_extension("").string() + "_" + util::random_hex(4) + ".flac";
  journal(target.string());
  try {
    audio::TranscodeSpec flac;
    flac.codec = audio::Codec::flac;
    audio::Transcoder::convert_file(stored, flac, target.string());
  } catch (const audio::AudioError& e) {
    fs::remove(target, ec);
    settled(target.string());
    throw std::runtime_error(std::string("cannot convert the AIFF file: ") + e.what());
  }
  fs::remove(stored, ec);
  settled(stored);
  return target.string();
}

}  // namespace st::library

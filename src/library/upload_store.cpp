#include "library/upload_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>

#include "audio/decoder.hpp"
#include "audio/format_sniffer.hpp"
#include "audio/transcoder.hpp"
#include "crypto/blake3.hpp"
#include "model/errors.hpp"
#include "util/durable_file.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

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

constexpr std::string_view kIntentHeader = "soundtime upload intent 2\n";

// The intent of a kept path, named after it, so settling needs no lookup.
fs::path intent_for(const std::string& dir, const std::string& path) {
  return fs::path(dir) / (crypto::to_hex(crypto::blake3(path)).substr(0, 32) + ".intent");
}

// What an intent says: the staging file, and once a name is being claimed, that name and the inode.
struct Intent {
  std::string staging, target;
  std::uint64_t inode = 0;
};

std::string encode(const Intent& i) {
  std::string out(kIntentHeader);
  out += "staging " + i.staging + "\n";
  if (!i.target.empty()) out += "target " + i.target + "\ninode " + std::to_string(i.inode) + "\n";
  return out;
}

// Nothing for an intent of an earlier version (a bare path) or a damaged one.
std::optional<Intent> decode(std::string_view text) {
  if (!util::starts_with(text, kIntentHeader)) return std::nullopt;
  text.remove_prefix(kIntentHeader.size());
  Intent i;
  while (!text.empty()) {
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;  // cut short: only whole lines count
    auto line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    auto sp = line.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    auto key = line.substr(0, sp), value = line.substr(sp + 1);
    if (key == "staging") {
      i.staging = value;
    } else if (key == "target") {
      i.target = value;
    } else if (key == "inode") {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), i.inode);
      if (ec != std::errc() || p != value.data() + value.size()) return std::nullopt;
    }
  }
  if (i.staging.empty() || i.target.empty() != (i.inode == 0)) return std::nullopt;
  return i;
}

void write_intent(const std::string& file, const Intent& i) {
  if (!util::write_durably(file, encode(i))) throw std::runtime_error("cannot write the upload journal");
}

// Gives `from` the name `to` unless a file has it: 0, EEXIST, or another errno. A hard link first (the
// staging file stays until unlinked); a filesystem without them (FAT, some network shares) gets an atomic
// rename that never replaces, or at worst an empty placeholder claimed with O_EXCL and then replaced (a
// crash between the two leaves that empty file). `moved` tells whether `from` is gone.
int give_name(const std::string& from, const std::string& to, bool& moved) {
  moved = false;
  if (::link(from.c_str(), to.c_str()) == 0) return 0;
  if (errno == EEXIST) return EEXIST;
  if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS && errno != EMLINK) return errno;
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    moved = true;
    return 0;
  }
  if (errno == EEXIST) return EEXIST;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return errno;
  int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  ::close(fd);
  if (::rename(from.c_str(), to.c_str()) != 0) {
    int err = errno;
    ::unlink(to.c_str());
    return err;
  }
  moved = true;
  return 0;
}

}  // namespace

void UploadStore::step(std::string_view name) const {
  if (after_step) after_step(name);
}

std::string UploadStore::new_intent(const std::string& staging) {
  auto file = (fs::path(journal_dir_) / ("u-" + util::random_hex(8) + ".intent")).string();
  write_intent(file, {staging, {}, 0});
  return file;
}

void UploadStore::settled(const std::string& path) {
  std::error_code ec;
  fs::remove(intent_for(journal_dir_, path), ec);
}

std::size_t UploadStore::sweep(const std::function<bool(const std::string&)>& has_row) {
  // Only paths inside the storage are ever removed, whatever the journal says.
  auto ours = [this](const std::string& p) {
    return !p.empty() && p.rfind(root_ + "/", 0) == 0 && p.find("/../") == std::string::npos;
  };
  std::size_t removed = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(journal_dir_, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code rm;
    if (it->path().extension() != ".intent") {  // a journal write cut short
      fs::remove(it->path(), rm);
      continue;
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto i = decode(text)) {
      if (ours(i->staging)) fs::remove(i->staging, rm);
      struct stat st {};
      // The final name only while it is still the staged file: never one that had the name already.
      if (!i->target.empty() && ours(i->target) && ::lstat(i->target.c_str(), &st) == 0 && st.st_ino == i->inode &&
          !has_row(i->target) && fs::remove(i->target, rm))
        ++removed;
    } else if (!util::starts_with(text, kIntentHeader)) {
      // An earlier version's intent: the bare path of a file it had already claimed.
      if (ours(text) && fs::exists(text, rm) && !has_row(text) && fs::remove(text, rm)) ++removed;
    }
    fs::remove(it->path(), rm);
  }
  return removed;
}

std::string UploadStore::claim(const std::string& intent, const std::string& staging, const std::string& dir,
                               const std::string& name) {
  auto give_up = [&](const std::string& why) {
    std::error_code ec;
    fs::remove(staging, ec);
    fs::remove(intent, ec);
    throw std::runtime_error(why);
  };
  struct stat st {};
  if (::stat(staging.c_str(), &st) != 0) give_up("cannot store the upload: " + std::string(std::strerror(errno)));
  fs::path target = fs::path(dir) / name;
  bool moved = false;
  for (int attempt = 0;; ++attempt) {
    try {
      write_intent(intent, {staging, target.string(), static_cast<std::uint64_t>(st.st_ino)});
    } catch (const std::exception& e) {
      give_up(e.what());
    }
    step("claiming");
    int err = give_name(staging, target.string(), moved);
    if (err == 0) break;
    if (err != EEXIST || attempt > 20) give_up("cannot create " + target.string() + ": " + std::strerror(err));
    fs::path p(name);
    target = fs::path(dir) / (p.stem().string() + "_" + util::random_hex(4) + p.extension().string());
  }
  step("claimed");
  if (!moved) ::unlink(staging.c_str());
  step("unstaged");
  std::error_code ec;
  fs::rename(intent, intent_for(journal_dir_, target.string()), ec);  // else the next start's sweep settles it
  step("settled-name");
  return target.string();
}

std::string UploadStore::keep(const std::string& received, std::string_view client_name, std::string_view user_id) {
  fs::path dir = fs::path(root_) / std::string(user_id);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  // Hidden (the scan passes dot files over) and named by the intent before the bytes arrive.
  std::string staging = (dir / (".upload-" + util::random_hex(8) + ".part")).string();
  auto intent = new_intent(staging);
  step("journalled");
  fs::rename(received, staging, ec);
  if (ec) {  // another filesystem: copy, then drop the received file
    fs::copy_file(received, staging, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      std::error_code rm;
      fs::remove(staging, rm);
      fs::remove(intent, rm);
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
  step("staged");
  return claim(intent, staging, dir.string(), safe_file_name(client_name));
}

std::string UploadStore::playable(const std::string& stored) {
  if (audio::sniff_file(stored) != audio::AudioFormat::aiff) return stored;
  fs::path dir = fs::path(stored).parent_path();
  std::string staging = (dir / (".upload-" + util::random_hex(8) + ".flac")).string();
  auto intent = new_intent(staging);
  step("journalled");
  try {
    audio::TranscodeSpec flac;
    flac.codec = audio::Codec::flac;
    audio::Transcoder::convert_file(stored, flac, staging);
  } catch (const audio::AudioError& e) {
    std::error_code ec;
    fs::remove(staging, ec);
    fs::remove(intent, ec);
    throw std::runtime_error(std::string("cannot convert the AIFF file: ") + e.what());
  }
  step("staged");
  auto target = claim(intent, staging, dir.string(), fs::path(stored).stem().string() + ".flac");
  std::error_code ec;
  fs::remove(stored, ec);
  settled(stored);
  return target;
}

}  // namespace st::library

// soundtime: the command line. `serve` (the default), `import`, `scan`, `user create|passwd|role`, `version`.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include "app/config.hpp"
#include "app/library_cli.hpp"
#include "app/storage_migrate.hpp"
#include "app/logging.hpp"
#include "app/server_app.hpp"
#include "app/user_cli.hpp"
#include "app/version.hpp"

#ifdef SOUNDTIME_JEMALLOC
// jemalloc's settings, read at its start (util/heap.hpp): a background thread returns pages unused for 2 s,
// without waiting for the next allocation; freed pages go back at once (no "muzzy" stage).
extern "C" const char* malloc_conf;
const char* malloc_conf = "background_thread:true,dirty_decay_ms:2000,muzzy_decay_ms:0";
#endif

int main(int argc, char** argv) {
  using namespace st::app;
  // A listener that goes away mid-response must cost us an EPIPE on that socket, not the process:
  // sendfile(2) (original files) and pipes to child processes cannot ask for MSG_NOSIGNAL.
  std::signal(SIGPIPE, SIG_IGN);
  Config config;
  try {
    config = config_from_env(process_env());
  } catch (const ConfigError& e) {
    std::cerr << "soundtime: " << e.what() << "\n";
    return 2;
  }

  CLI::App cli{"SoundTime: self-hosted music streaming with peer-to-peer sharing", "soundtime"};
  cli.set_version_flag("--version", kVersion);
  cli.add_option("--host", config.host, "Address to listen on (HOST)");
  cli.add_option("--port", config.port, "Port to listen on (PORT)")->check(CLI::Range(1, 65535));
  cli.add_option("--data-dir", config.data_dir, "Data directory (SOUNDTIME_DATA_DIR)");
  cli.add_option("--database-url", config.database_url, "sqlite://FILE or postgres://... (DATABASE_URL)");
  cli.add_option("--log-level", config.log_level, "trace, debug, info, warn, error (LOG_LEVEL)");
  cli.add_option("--web-root", config.web_root, "Built web app to serve (SOUNDTIME_WEB_ROOT)");

  cli.add_subcommand("serve", "Run the server (the default)");
  auto* version_cmd = cli.add_subcommand("version", "Print the version");

  std::vector<std::string> import_paths;
  auto* import_cmd = cli.add_subcommand("import", "Import folders of music in place (files are not copied)");
  import_cmd->add_option("dirs", import_paths, "Folders to import")->required()->check(CLI::ExistingDirectory);
  auto* scan_cmd = cli.add_subcommand("scan", "Rescan MUSIC_FOLDERS: new, changed and deleted files");

  auto* storage_cmd = cli.add_subcommand("storage", "Uploaded audio's storage");
  storage_cmd->require_subcommand(1);
  std::string migrate_to;
  auto* migrate = storage_cmd->add_subcommand("migrate", "Move the uploaded tracks to S3 or back to AUDIO_STORAGE_PATH "
                                                         "(resumable; the S3_* variables name the store)");
  migrate->add_option("--to", migrate_to, "s3 or local")->required()->check(CLI::IsMember({"s3", "local"}));

  auto* user_cmd = cli.add_subcommand("user", "Manage accounts");
  user_cmd->require_subcommand(1);
  std::string username, email, role = "user";
  std::optional<std::string> password;
  auto* create = user_cmd->add_subcommand("create", "Create an account (whatever the registration settings)");
  create->add_option("username", username, "User name")->required();
  create->add_option("--email", email, "Email address")->required();
  create->add_option("--password", password, "Password (read from the terminal or stdin when omitted)");
  create->add_option("--role", role, "admin or user")->check(CLI::IsMember({"admin", "user"}));
  auto* passwd = user_cmd->add_subcommand("passwd", "Set a user's password and end their sessions");
  passwd->add_option("username", username, "User name")->required();
  passwd->add_option("--password", password, "New password (read from the terminal or stdin when omitted)");
  auto* role_cmd = user_cmd->add_subcommand("role", "Make a user admin or user");
  role_cmd->add_option("username", username, "User name")->required();
  role_cmd->add_option("role", role, "admin or user")->required()->check(CLI::IsMember({"admin", "user"}));

  CLI11_PARSE(cli, argc, argv);

  if (version_cmd->parsed()) {
    std::cout << "soundtime " << kVersion << "\n";
    return 0;
  }
  try {
    finalize(config);
  } catch (const ConfigError& e) {
    std::cerr << "soundtime: " << e.what() << "\n";
    return 2;
  }
  init_logging(config.log_level);
  try {
    if (import_cmd->parsed()) return import_dirs(config, import_paths);
    if (scan_cmd->parsed()) return scan_music_folders(config);
    if (migrate->parsed()) return storage_migrate(config, migrate_to);
    if (create->parsed()) return user_create(config, username, email, password, role);
    if (passwd->parsed()) return user_passwd(config, username, password);
    if (role_cmd->parsed()) return user_role(config, username, role);
    return serve(config);  // `serve`, or no subcommand at all
  } catch (const std::exception& e) {
    std::cerr << "soundtime: " << e.what() << "\n";
    return 1;
  }
}

// App passwords and the Subsonic authenticator over a real (SQLite) database.
#include <gtest/gtest.h>

#include "auth/account_service.hpp"
#include "auth/app_passwords.hpp"
#include "auth/instance_settings.hpp"
#include "auth/session_service.hpp"
#include "auth/subsonic_auth.hpp"
#include "crypto/md5.hpp"
#include "db/repositories.hpp"
#include "lib/sodium/sodium.hpp"
#include "model/errors.hpp"
#include "support/test_database.hpp"

using namespace st;

namespace {

class SubsonicAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    lib::sodium::init();
    ASSERT_TRUE(db_.open());
    users_ = db::make_user_repository(db_.pool());
    session_repo_ = db::make_session_repository(db_.pool());
    settings_repo_ = db::make_settings_repository(db_.pool());
    settings_ = std::make_unique<auth::InstanceSettings>(*settings_repo_);
    sessions_ = std::make_unique<auth::SessionService>(auth::TokenConfig{"unit-test-secret-unit-test-secret-0123"},
                                                       *users_, *session_repo_);
    accounts_ = std::make_unique<auth::AccountService>(*users_, *settings_, *sessions_);
    repo_ = db::make_app_password_repository(db_.pool());
    apps_ = std::make_unique<auth::AppPasswords>(*repo_, std::string(32, 'k'));
    authn_ = std::make_unique<auth::SubsonicAuthenticator>(*users_, *apps_);
    alice_ = accounts_->create_by_admin({"alice", "alice@example.org", "alice-password", std::nullopt});
  }

  int code_of(const auth::SubsonicCredentials& c) {
    try {
      authn_->authenticate(c, "127.0.0.1");
    } catch (const auth::SubsonicAuthError& e) {
      return e.code();
    }
    return -1;
  }

  test::TestDatabase db_{"sqlite"};
  std::unique_ptr<model::UserRepository> users_;
  std::unique_ptr<model::SessionRepository> session_repo_;
  std::unique_ptr<model::SettingsRepository> settings_repo_;
  std::unique_ptr<auth::InstanceSettings> settings_;
  std::unique_ptr<auth::SessionService> sessions_;
  std::unique_ptr<auth::AccountService> accounts_;
  std::unique_ptr<model::AppPasswordRepository> repo_;
  std::unique_ptr<auth::AppPasswords> apps_;
  std::unique_ptr<auth::SubsonicAuthenticator> authn_;
  model::User alice_;
};

}  // namespace

TEST(Md5, MatchesRfc1321Vectors) {
  EXPECT_EQ(crypto::md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(crypto::md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  // The example of the Subsonic API documentation: password "sesame", salt "c19b2d".
  EXPECT_EQ(crypto::md5_hex("sesamec19b2d"), "26719a1196d2a940705a59634eb18eab");
}

TEST_F(SubsonicAuth, AppPasswordsAreSecretTypeableAndStoredSealed) {
  auto created = apps_->create(alice_.id, "  Phone  ");
  EXPECT_EQ(created.record.name, "Phone");
  EXPECT_EQ(created.secret.size(), 23u);
  EXPECT_EQ(created.secret[5], '-');
  auto stored = repo_->list_by_user(alice_.id);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].secret_box.find(created.secret), std::string::npos);
  EXPECT_NE(apps_->create(alice_.id, "Laptop").secret, created.secret);
  EXPECT_THROW(apps_->create(alice_.id, "   "), model::DomainError);
  EXPECT_THROW(apps_->create(alice_.id, std::string(101, 'x')), model::DomainError);
}

TEST_F(SubsonicAuth, EveryMechanismAndItsErrorCode) {
  auto app = apps_->create(alice_.id, "Phone");
  std::string salt = "c19b2d";
  auto token = crypto::md5_hex(app.secret + salt);
  EXPECT_EQ(authn_->authenticate({"alice", "alice-password", {}, {}, {}}, "ip").user.id, alice_.id);
  EXPECT_EQ(authn_->authenticate({"alice", "enc:616c6963652d70617373776f7264", {}, {}, {}}, "ip").user.id, alice_.id);
  EXPECT_EQ(authn_->authenticate({"alice", app.secret, {}, {}, {}}, "ip").app_password_id, app.record.id);
  EXPECT_EQ(authn_->authenticate({"alice", {}, token, salt, {}}, "ip").app_password_id, app.record.id);
  EXPECT_EQ(authn_->authenticate({"ALICE", {}, token, salt, {}}, "ip").user.id, alice_.id);
  EXPECT_EQ(authn_->authenticate({{}, {}, {}, {}, app.secret}, "ip").user.id, alice_.id);
  EXPECT_EQ(code_of({"alice", "wrong", {}, {}, {}}), 40);
  EXPECT_EQ(code_of({"alice", "enc:zz", {}, {}, {}}), 40);
  EXPECT_EQ(code_of({"alice", {}, crypto::md5_hex("alice-password" + salt), salt, {}}), 40);
  EXPECT_EQ(code_of({"alice", {}, token, "other-salt", {}}), 40);
  EXPECT_EQ(code_of({"alice", {}, token, {}, {}}), 10);
  EXPECT_EQ(code_of({{}, "alice-password", {}, {}, {}}), 10);
  EXPECT_EQ(code_of({"alice", "alice-password", token, salt, {}}), 43);
  EXPECT_EQ(code_of({"alice", {}, {}, {}, app.secret}), 43);
  EXPECT_EQ(code_of({{}, {}, {}, {}, "nope"}), 44);
  EXPECT_EQ(code_of({"nobody", "alice-password", {}, {}, {}}), 40);
  apps_->revoke(alice_.id, app.record.id);
  EXPECT_EQ(code_of({{}, {}, {}, {}, app.secret}), 44);
  EXPECT_EQ(code_of({"alice", {}, token, salt, {}}), 40);  // no app password left: as for an unknown user
}

TEST_F(SubsonicAuth, ARememberedPasswordStopsWorkingWhenItChanges) {
  EXPECT_EQ(code_of({"alice", "alice-password", {}, {}, {}}), -1);
  EXPECT_EQ(code_of({"alice", "alice-password", {}, {}, {}}), -1);  // from the cache
  accounts_->reset_password(alice_.id, "new-password-1");
  EXPECT_EQ(code_of({"alice", "alice-password", {}, {}, {}}), 40);
  EXPECT_EQ(code_of({"alice", "new-password-1", {}, {}, {}}), -1);
}

TEST_F(SubsonicAuth, BannedUsersAreRefusedWhateverTheMechanism) {
  auto app = apps_->create(alice_.id, "Phone");
  users_->set_ban(alice_.id, true, std::string("spam"), 1);
  EXPECT_EQ(code_of({"alice", "alice-password", {}, {}, {}}), 50);
  EXPECT_EQ(code_of({{}, {}, {}, {}, app.secret}), 50);
}

TEST_F(SubsonicAuth, OneUserCannotUseOrRevokeAnothersAppPassword) {
  auto bob = accounts_->create_by_admin({"bob", "bob@example.org", "bob-password-1", std::nullopt});
  auto app = apps_->create(alice_.id, "Phone");
  EXPECT_EQ(code_of({"bob", app.secret, {}, {}, {}}), 40);
  EXPECT_EQ(code_of({"bob", {}, crypto::md5_hex(app.secret + "s4lt"), "s4lt", {}}), 40);
  // Bob's own app passwords do not open Alice's account either, and each opens his.
  auto bobs = apps_->create(bob.id, "Tablet"), bobs2 = apps_->create(bob.id, "Car");
  EXPECT_EQ(code_of({"alice", bobs.secret, {}, {}, {}}), 40);
  EXPECT_EQ(code_of({"alice", {}, crypto::md5_hex(bobs2.secret + "s4lt"), "s4lt", {}}), 40);
  EXPECT_EQ(authn_->authenticate({"Bob", {}, crypto::md5_hex(bobs2.secret + "s4lt"), "s4lt", {}}, "ip").app_password_id,
            bobs2.record.id);
  EXPECT_EQ(authn_->authenticate({"bob", bobs.secret, {}, {}, {}}, "ip").app_password_id, bobs.record.id);
  apps_->revoke(bob.id, bobs.record.id);
  apps_->revoke(bob.id, bobs2.record.id);
  EXPECT_THROW(apps_->revoke(bob.id, app.record.id), model::DomainError);
  EXPECT_EQ(apps_->list(bob.id).size(), 0u);
}

TEST_F(SubsonicAuth, PasswordGuessingIsRateLimited) {
  int limited = 0;
  for (int i = 0; i < 30; ++i) {
    try {
      authn_->authenticate({"alice", "guess-" + std::to_string(i), {}, {}, {}}, "10.0.0.9");
    } catch (const auth::SubsonicAuthError& e) {
      if (std::string(e.what()).find("Too many") != std::string::npos) ++limited;
    }
  }
  EXPECT_GT(limited, 10);
}

TEST_F(SubsonicAuth, FailedLoginsAreLimitedPerClientThenEvenARightOneIsRefused) {
  auth::SubsonicAuthenticator authn(*users_, *apps_, 2, std::chrono::hours(1));
  auto app = apps_->create(alice_.id, "Phone");
  for (int i = 0; i < 50; ++i) EXPECT_NO_THROW(authn.authenticate({"alice", app.secret, {}, {}, {}}, "10.0.0.1"));
  auto message = [&](const auth::SubsonicCredentials& c, const char* client) {
    try {
      authn.authenticate(c, client);
    } catch (const auth::SubsonicAuthError& e) {
      return std::to_string(e.code()) + " " + e.what();
    }
    return std::string("ok");
  };
  EXPECT_EQ(message({"alice", "wrong-1", {}, {}, {}}, "10.0.0.1"), "40 Wrong username or password");
  EXPECT_EQ(message({{}, {}, {}, {}, "not-a-key"}, "10.0.0.1"), "44 Invalid API key");
  EXPECT_EQ(message({"alice", app.secret, {}, {}, {}}, "10.0.0.1").rfind("40 Too many attempts", 0), 0u);
  EXPECT_EQ(message({"alice", app.secret, {}, {}, {}}, "10.0.0.2"), "ok");  // another client
}

"""The files the server makes for itself are private to its user whatever the umask (issue 17, item 16)."""
import os
import stat
import unittest

from harness import P2P_HYGIENE, Server, free_port


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class DataFileModes(unittest.TestCase):
    def test_a_new_data_directory_and_its_files_are_private_under_umask_022(self):
        s = Server(env={"P2P_ENABLED": "true", "P2P_BIND_HOST": "127.0.0.1", "P2P_BIND_PORT": str(free_port()),
                        **P2P_HYGIENE})
        data = os.path.join(s.dir, "data")  # not there yet: the server creates it
        s.env["SOUNDTIME_DATA_DIR"] = data
        s.env.pop("JWT_SECRET")  # so that one is generated
        old = os.umask(0o022)
        try:
            s.start()
        finally:
            os.umask(old)
        try:
            s.setup_admin()  # writes to the database, so its -wal and -shm exist
            self.assertEqual(mode(data), 0o700)
            files = ["secret", "app-passwords.key", "p2p/secret_key"]
            if s.engine == "sqlite":  # the engine of this run (harness.ENGINE is the first run's)
                files += ["soundtime.db", "soundtime.db-wal", "soundtime.db-shm"]
            for name in files:
                self.assertEqual(oct(mode(os.path.join(data, name))), oct(0o600), name)
            self.assertEqual(oct(mode(os.path.join(data, "p2p"))), oct(0o700), "p2p")
        finally:
            code, log = s.stop()
        self.assertEqual(code, 0, log[-3000:])


if __name__ == "__main__":
    unittest.main()

// The one translation unit that compiles Beast (BOOST_BEAST_SEPARATE_COMPILATION); Asio itself is
// compiled once in src/lib/asio, shared with the P2P transport.
#include <boost/beast/src.hpp>

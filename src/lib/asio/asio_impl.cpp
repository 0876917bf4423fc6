// The one translation unit that compiles Asio (BOOST_ASIO_SEPARATE_COMPILATION), shared by the HTTP
// server and the P2P transport.
#include <boost/asio/impl/src.hpp>

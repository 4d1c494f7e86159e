/*
 * Preload library for the interop tests: libindi's indiserver has no option
 * for its listen address and always binds INADDR_ANY. With this library in
 * LD_PRELOAD, an IPv4 bind() to INADDR_ANY is redirected to 127.0.0.1, so
 * test servers stay private to this host. Every other bind() is untouched.
 *
 *   cc -shared -fPIC -o loopback_bind.so loopback_bind.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)
{
    int (*real_bind)(int, const struct sockaddr *, socklen_t) =
        (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
    struct sockaddr_in local;

    if (addr == NULL || addr->sa_family != AF_INET || addrlen < sizeof(local))
        return real_bind(sockfd, addr, addrlen);
    memcpy(&local, addr, sizeof(local));
    if (local.sin_addr.s_addr != htonl(INADDR_ANY))
        return real_bind(sockfd, addr, addrlen);
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return real_bind(sockfd, (const struct sockaddr *)&local, sizeof(local));
}

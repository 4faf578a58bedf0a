/* Test stand-in (see ../README.md): the fixed-width types cell configs use. */
#ifndef JH_STANDIN_TYPES_H
#define JH_STANDIN_TYPES_H
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
#endif

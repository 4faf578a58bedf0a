/* Test stand-in (see ../README.md): the cell-configuration declarations of
 * the dialect chosen with -DJH_DIALECT_<name>. */
#ifndef JH_STANDIN_CELL_CONFIG_H
#define JH_STANDIN_CELL_CONFIG_H

#include <jailhouse/console.h>

#if defined(JH_DIALECT_A12)
#define JH_REV 12
#elif defined(JH_DIALECT_A13) || defined(JH_DIALECT_B)
#define JH_REV 13
#elif defined(JH_DIALECT_A14) || defined(JH_DIALECT_C) || defined(JH_DIALECT_OV)
#define JH_REV 14
#else
#error "define one of JH_DIALECT_A12, _A13, _A14, _B, _C, _OV"
#endif
#if defined(JH_DIALECT_A14) || defined(JH_DIALECT_C) || defined(JH_DIALECT_OV)
#define JH_ARCH_BYTE 1
#endif
#if defined(JH_DIALECT_B) || defined(JH_DIALECT_C) || defined(JH_DIALECT_OV)
#define JH_RUNPHI_LAYOUT 1 /* colors, QoS devices */
#endif
#if defined(JH_DIALECT_C) || defined(JH_DIALECT_OV)
#define JH_RCPUS 1
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) sizeof(a) / sizeof(a[0])
#endif

#define JAILHOUSE_X86 0
#define JAILHOUSE_ARM 1
#define JAILHOUSE_ARM64 2

#define JAILHOUSE_CONFIG_REVISION JH_REV
#define JAILHOUSE_CELL_NAME_MAXLEN 31

#define JAILHOUSE_CELL_PASSIVE_COMMREG 0x00000001
#define JAILHOUSE_CELL_TEST_DEVICE 0x00000002
#ifndef JH_DIALECT_A12
#define JAILHOUSE_CELL_AARCH32 0x00000004
#endif
#define JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED 0x40000000
#define JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE 0x80000000

#ifdef JH_ARCH_BYTE
#define JAILHOUSE_CELL_DESC_SIGNATURE "JHCLL"
#else
#define JAILHOUSE_CELL_DESC_SIGNATURE "JHCELL"
#endif

struct jailhouse_cell_desc {
#ifdef JH_ARCH_BYTE
	char signature[5];
	__u8 architecture;
#else
	char signature[6];
#endif
	__u16 revision;
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
	__u32 id;
	__u32 flags;
	__u32 cpu_set_size;
#ifdef JH_RCPUS
	__u32 rcpu_set_size;
#endif
	__u32 num_memory_regions;
	__u32 num_cache_regions;
	__u32 num_irqchips;
	__u32 num_pio_regions;
	__u32 num_pci_devices;
	__u32 num_pci_caps;
	__u32 num_stream_ids;
#ifdef JH_RUNPHI_LAYOUT
	__u32 num_qos_devices;
#endif
	__u32 vpci_irq_base;
	__u64 cpu_reset_address;
	__u64 msg_reply_timeout;
	struct jailhouse_console console;
} __attribute__((packed));

#define JAILHOUSE_MEM_READ 0x0001
#define JAILHOUSE_MEM_WRITE 0x0002
#define JAILHOUSE_MEM_EXECUTE 0x0004
#define JAILHOUSE_MEM_DMA 0x0008
#define JAILHOUSE_MEM_IO 0x0010
#define JAILHOUSE_MEM_COMM_REGION 0x0020
#define JAILHOUSE_MEM_LOADABLE 0x0040
#define JAILHOUSE_MEM_ROOTSHARED 0x0080
#ifdef JH_DIALECT_A12
#define JAILHOUSE_MEM_IO_UNALIGNED 0x0100
#else
#define JAILHOUSE_MEM_NO_HUGEPAGES 0x0100
#define JAILHOUSE_MEM_IO_UNALIGNED 0x8000
#endif
#ifdef JH_RUNPHI_LAYOUT
#define JAILHOUSE_MEM_COLORED 0x0200
#define JAILHOUSE_MEM_COLORED_NO_COPY 0x0400
#define JAILHOUSE_MEM_TMP_ROOT_REMAP 0x0800
#endif
#ifdef JH_RCPUS
#define JAILHOUSE_MEM_TCM_A 0x1000
#define JAILHOUSE_MEM_TCM_B 0x2000
#endif
#define JAILHOUSE_MEM_IO_8 0x10000
#define JAILHOUSE_MEM_IO_16 0x20000
#define JAILHOUSE_MEM_IO_32 0x40000
#define JAILHOUSE_MEM_IO_64 0x80000

struct jailhouse_memory {
	__u64 phys_start;
	__u64 virt_start;
	__u64 size;
	__u64 flags;
#ifdef JH_RUNPHI_LAYOUT
	__u64 colors;
#endif
} __attribute__((packed));

#define JAILHOUSE_CACHE_L3_CODE 0x01
#define JAILHOUSE_CACHE_L3_DATA 0x02
#define JAILHOUSE_CACHE_L3 0x03
#define JAILHOUSE_CACHE_ROOTSHARED 0x0001

struct jailhouse_cache {
	__u32 start;
	__u32 size;
	__u8 type;
	__u8 padding;
	__u16 flags;
} __attribute__((packed));

struct jailhouse_irqchip {
	__u64 address;
	__u32 id;
	__u32 pin_base;
	__u32 pin_bitmap[4];
} __attribute__((packed));

#define JAILHOUSE_PCI_TYPE_DEVICE 0x01
#define JAILHOUSE_PCI_TYPE_BRIDGE 0x02
#define JAILHOUSE_PCI_TYPE_IVSHMEM 0x03
#define JAILHOUSE_SHMEM_PROTO_UNDEFINED 0x0000
#define JAILHOUSE_SHMEM_PROTO_VETH 0x0001
#define JAILHOUSE_SHMEM_PROTO_CUSTOM 0x4000
#define JAILHOUSE_SHMEM_PROTO_VIRTIO_FRONT 0x8000
#define JAILHOUSE_SHMEM_PROTO_VIRTIO_BACK 0xc000

struct jailhouse_pci_device {
	__u8 type;
	__u8 iommu;
	__u16 domain;
	__u16 bdf;
	__u32 bar_mask[6];
	__u16 caps_start;
	__u16 num_caps;
	__u8 num_msi_vectors;
	__u8 msi_64bits:1;
	__u8 msi_maskable:1;
	__u16 num_msix_vectors;
	__u16 msix_region_size;
	__u64 msix_address;
	__u32 shmem_regions_start;
	__u8 shmem_dev_id;
	__u8 shmem_peers;
	__u16 shmem_protocol;
} __attribute__((packed));

#define JAILHOUSE_IVSHMEM_BAR_MASK_INTX { 0xfffff000, 0, 0, 0, 0, 0 }
#define JAILHOUSE_PCI_EXT_CAP 0x8000
#define JAILHOUSE_PCICAPS_WRITE 0x0001

struct jailhouse_pci_capability {
	__u16 id;
	__u16 start;
	__u16 len;
	__u16 flags;
} __attribute__((packed));

#ifndef JH_DIALECT_A12
union jailhouse_stream_id {
	__u32 id;
	struct {
		__u16 id;
		__u16 mask_out;
	} __attribute__((packed)) mmu500;
} __attribute__((packed));
#endif

struct jailhouse_pio {
	__u16 base;
	__u16 length;
} __attribute__((packed));

#define PIO_RANGE(__base, __length) { .base = __base, .length = __length }

#ifdef JH_RUNPHI_LAYOUT
struct jailhouse_qos_device {
	char name[15];
	__u8 flags;
	__u32 base;
} __attribute__((packed));
#endif

#endif

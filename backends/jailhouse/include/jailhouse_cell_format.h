/*
 * runphi's own C definitions of the Jailhouse cell configuration format
 * (.cell files), one set of structs per header dialect. Written from
 * jailhouse-cell-format.md (the facts: sizes, offsets, constants); no
 * Jailhouse header was copied. The C source runphi renders for a cell
 * includes this file and compiles (gcc -c, then objcopy -O binary -j .data)
 * to exactly the bytes runphi writes in-process.
 *
 * Dialects (docs/platform-templates.md §3):
 *   A12  upstream v0.12          "JHCELL" rev 12, 132-byte header, 32-byte regions   struct jhc_cell_desc_a
 *   A13  upstream 2020-2022      "JHCELL" rev 13, same layout                       struct jhc_cell_desc_a
 *   A14  upstream master         "JHCLL"+arch rev 14, 132-byte header               struct jhc_cell_desc_a14
 *   B    runPHI rev 13 (qemu)    "JHCELL" rev 13, 136-byte header, 40-byte regions   struct jhc_cell_desc_b
 *   C    runPHI Omnivisor        "JHCLL"+arch rev 14, 140-byte header, rCPU set      struct jhc_cell_desc_c
 *   OV   Omnivisor fork          C's layout; console type 10 SCIF, 11 LINFLEX      struct jhc_cell_desc_c
 *
 * All structs are packed and little-endian; a cell file is the header
 * followed by, in this order: CPU bitmap, rCPU bitmap (C), memory regions,
 * cache regions, irqchips, PIO regions, PCI devices, PCI capabilities,
 * stream IDs, QoS devices (B, C).
 */
#ifndef RUNPHI_JAILHOUSE_CELL_FORMAT_H
#define RUNPHI_JAILHOUSE_CELL_FORMAT_H

#include <stdint.h>

#define JHC_PACKED __attribute__((packed))
#define JHC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- signatures and revisions (the signature has no NUL in the file) ---- */
#define JHC_SIGNATURE_JHCELL "JHCELL"
#define JHC_SIGNATURE_JHCLL "JHCLL"
#define JHC_REVISION_A12 12
#define JHC_REVISION_A13 13
#define JHC_REVISION_A14 14
#define JHC_REVISION_B 13
#define JHC_REVISION_C 14
#define JHC_REVISION_OV 14

/* architecture byte (A14, C) */
#define JHC_ARCH_X86 0
#define JHC_ARCH_ARM 1
#define JHC_ARCH_ARM64 2

#define JHC_CELL_NAME_BYTES 32 /* 31 characters + NUL */

/* ---- cell flags (u32) ---- */
#define JHC_CELL_PASSIVE_COMMREG 0x00000001u
#define JHC_CELL_TEST_DEVICE 0x00000002u
#define JHC_CELL_AARCH32 0x00000004u /* not in A12 */
#define JHC_CELL_VIRTUAL_CONSOLE_PERMITTED 0x40000000u
#define JHC_CELL_VIRTUAL_CONSOLE_ACTIVE 0x80000000u

/* ---- memory region flags (u64) ---- */
#define JHC_MEM_READ 0x0001ull
#define JHC_MEM_WRITE 0x0002ull
#define JHC_MEM_EXECUTE 0x0004ull
#define JHC_MEM_DMA 0x0008ull
#define JHC_MEM_IO 0x0010ull
#define JHC_MEM_COMM_REGION 0x0020ull
#define JHC_MEM_LOADABLE 0x0040ull
#define JHC_MEM_ROOTSHARED 0x0080ull
#define JHC_MEM_NO_HUGEPAGES 0x0100ull
#define JHC_MEM_COLORED 0x0200ull         /* B, C */
#define JHC_MEM_COLORED_NO_COPY 0x0400ull /* B, C */
#define JHC_MEM_TMP_ROOT_REMAP 0x0800ull  /* B, C: the hypervisor's own; never in a config */
#define JHC_MEM_TCM_A 0x1000ull           /* C */
#define JHC_MEM_TCM_B 0x2000ull           /* C */
#define JHC_MEM_IO_UNALIGNED 0x8000ull
#define JHC_MEM_IO_UNALIGNED_A12 0x0100ull /* A12: before NO_HUGEPAGES took the bit */
#define JHC_MEM_IO_8 0x10000ull
#define JHC_MEM_IO_16 0x20000ull
#define JHC_MEM_IO_32 0x40000ull
#define JHC_MEM_IO_64 0x80000ull

/* ---- console (type u16, flags u16) ---- */
#define JHC_CON_TYPE_NONE 0x0000
#define JHC_CON_TYPE_EFIFB 0x0001
#define JHC_CON_TYPE_8250 0x0002
#define JHC_CON_TYPE_PL011 0x0003
#define JHC_CON_TYPE_XUARTPS 0x0004
#define JHC_CON_TYPE_MVEBU 0x0005
#define JHC_CON_TYPE_HSCIF 0x0006
#define JHC_CON_TYPE_SCIFA 0x0007
#define JHC_CON_TYPE_IMX 0x0008
#define JHC_CON_TYPE_IMX_LPUART 0x0009 /* not in A12 */
#define JHC_CON_TYPE_SCIF 0x000a       /* A13 (late), A14 */
#define JHC_CON_TYPE_LINFLEX 0x000a    /* B, C: same number, another UART */
#define JHC_CON_TYPE_LINFLEX_OV 0x000b /* OV: after SCIF */
#define JHC_CON_ACCESS_PIO 0x0000
#define JHC_CON_ACCESS_MMIO 0x0001
#define JHC_CON_REGDIST_1 0x0000
#define JHC_CON_REGDIST_4 0x0002
#define JHC_CON_FB_1024x768 0x0000
#define JHC_CON_FB_1920x1080 0x0004
#define JHC_CON_INVERTED_GATE 0x1000
#define JHC_CON_MDR_QUIRK 0x2000

/* ---- cache regions (x86 CAT) ---- */
#define JHC_CACHE_L3_CODE 0x01
#define JHC_CACHE_L3_DATA 0x02
#define JHC_CACHE_L3 0x03
#define JHC_CACHE_ROOTSHARED 0x0001

/* ---- PCI ---- */
#define JHC_PCI_TYPE_DEVICE 0x01
#define JHC_PCI_TYPE_BRIDGE 0x02
#define JHC_PCI_TYPE_IVSHMEM 0x03
#define JHC_PCI_MSI_64BITS 0x01   /* byte +35, bit 0 */
#define JHC_PCI_MSI_MASKABLE 0x02 /* byte +35, bit 1 */
#define JHC_PCI_EXT_CAP 0x8000
#define JHC_PCICAPS_WRITE 0x0001
#define JHC_SHMEM_PROTO_UNDEFINED 0x0000
#define JHC_SHMEM_PROTO_VETH 0x0001
#define JHC_SHMEM_PROTO_CUSTOM 0x4000
#define JHC_SHMEM_PROTO_VIRTIO_FRONT 0x8000
#define JHC_SHMEM_PROTO_VIRTIO_BACK 0xc000
#define JHC_IVSHMEM_BAR_MASK_INTX \
  { 0xfffff000, 0x00000000, 0, 0, 0, 0 }
#define JHC_IVSHMEM_BAR_MASK_MSIX \
  { 0xfffff000, 0xfffff000, 0, 0, 0, 0 } /* A13 and later */
#define JHC_IVSHMEM_BAR_MASK_MSIX_A12 \
  { 0xfffff000, 0xfffffe00, 0, 0, 0, 0 } /* A12 */
#define JHC_IVSHMEM_BAR_MASK_INTX_64K \
  { 0xffff0000, 0x00000000, 0, 0, 0, 0 } /* not A12 */
#define JHC_IVSHMEM_BAR_MASK_MSIX_64K \
  { 0xffff0000, 0xffff0000, 0, 0, 0, 0 } /* not A12 */

/* ---- QoS devices (B, C) ---- */
#define JHC_QOS_NAME_BYTES 15
#define JHC_QOS_HAS_RWQOS 0x01
#define JHC_QOS_HAS_REGUL 0x02
#define JHC_QOS_HAS_DYNQOS 0x04

/* ---- structs shared by all dialects ---- */
struct jhc_console {
  uint64_t address;   /* MMIO base or I/O port */
  uint32_t size;      /* MMIO window; may be 0 */
  uint16_t type;      /* JHC_CON_TYPE_* */
  uint16_t flags;     /* JHC_CON_* */
  uint32_t divider;   /* baud divisor; 0 = leave as is */
  uint32_t gate_nr;   /* bit in the clock-gate register */
  uint64_t clock_reg; /* clock-gate register; 0 = none */
} JHC_PACKED;

struct jhc_cache {
  uint32_t start; /* first bit of the capacity bitmask */
  uint32_t size;  /* number of bits, > 0 */
  uint8_t type;   /* JHC_CACHE_L3* */
  uint8_t padding;
  uint16_t flags; /* JHC_CACHE_ROOTSHARED */
} JHC_PACKED;

struct jhc_irqchip {
  uint64_t address;       /* GIC distributor (ARM), IOAPIC (x86) */
  uint32_t id;            /* x86 IOAPIC source id; 0 on ARM */
  uint32_t pin_base;      /* first interrupt of the bitmap, multiple of 32 */
  uint32_t pin_bitmap[4]; /* bit b of word k: interrupt pin_base + 32k + b */
} JHC_PACKED;

struct jhc_pio {
  uint16_t base;
  uint16_t length;
} JHC_PACKED;

struct jhc_pci_device {
  uint8_t type; /* JHC_PCI_TYPE_* */
  uint8_t iommu;
  uint16_t domain;
  uint16_t bdf; /* bus << 8 | device << 3 | function */
  uint32_t bar_mask[6];
  uint16_t caps_start;
  uint16_t num_caps;
  uint8_t num_msi_vectors;
  uint8_t msi_flags; /* JHC_PCI_MSI_64BITS | JHC_PCI_MSI_MASKABLE */
  uint16_t num_msix_vectors;
  uint16_t msix_region_size;
  uint64_t msix_address;
  uint32_t shmem_regions_start; /* ivshmem: index of its state table among the memory regions */
  uint8_t shmem_dev_id;         /* ivshmem: this cell's peer id */
  uint8_t shmem_peers;
  uint16_t shmem_protocol; /* JHC_SHMEM_PROTO_* */
} JHC_PACKED;

struct jhc_pci_capability {
  uint16_t id; /* | JHC_PCI_EXT_CAP for extended capabilities */
  uint16_t start;
  uint16_t len;
  uint16_t flags; /* JHC_PCICAPS_WRITE */
} JHC_PACKED;

struct jhc_qos_device {
  char name[JHC_QOS_NAME_BYTES];
  uint8_t flags; /* JHC_QOS_HAS_* */
  uint32_t base; /* offset from the platform's QoS NIC base */
} JHC_PACKED;

/* ---- memory regions ---- */
struct jhc_memory_a { /* A12, A13, A14 */
  uint64_t phys_start;
  uint64_t virt_start;
  uint64_t size;
  uint64_t flags; /* JHC_MEM_* */
} JHC_PACKED;

struct jhc_memory_bc { /* B, C */
  uint64_t phys_start;
  uint64_t virt_start;
  uint64_t size;
  uint64_t flags;  /* JHC_MEM_* */
  uint64_t colors; /* cache colours, with JHC_MEM_COLORED only */
} JHC_PACKED;

/* ---- cell headers ---- */
struct jhc_cell_desc_a { /* A12, A13 */
  char signature[6];
  uint16_t revision;
  char name[JHC_CELL_NAME_BYTES];
  uint32_t id; /* 0: the driver fills it in */
  uint32_t flags;
  uint32_t cpu_set_size;
  uint32_t num_memory_regions;
  uint32_t num_cache_regions;
  uint32_t num_irqchips;
  uint32_t num_pio_regions;
  uint32_t num_pci_devices;
  uint32_t num_pci_caps;
  uint32_t num_stream_ids;
  uint32_t vpci_irq_base;
  uint64_t cpu_reset_address;
  uint64_t msg_reply_timeout;
  struct jhc_console console;
} JHC_PACKED;

struct jhc_cell_desc_a14 { /* A14 */
  char signature[5];
  uint8_t architecture;
  uint16_t revision;
  char name[JHC_CELL_NAME_BYTES];
  uint32_t id;
  uint32_t flags;
  uint32_t cpu_set_size;
  uint32_t num_memory_regions;
  uint32_t num_cache_regions;
  uint32_t num_irqchips;
  uint32_t num_pio_regions;
  uint32_t num_pci_devices;
  uint32_t num_pci_caps;
  uint32_t num_stream_ids;
  uint32_t vpci_irq_base;
  uint64_t cpu_reset_address;
  uint64_t msg_reply_timeout;
  struct jhc_console console;
} JHC_PACKED;

struct jhc_cell_desc_b { /* B */
  char signature[6];
  uint16_t revision;
  char name[JHC_CELL_NAME_BYTES];
  uint32_t id;
  uint32_t flags;
  uint32_t cpu_set_size;
  uint32_t num_memory_regions;
  uint32_t num_cache_regions;
  uint32_t num_irqchips;
  uint32_t num_pio_regions;
  uint32_t num_pci_devices;
  uint32_t num_pci_caps;
  uint32_t num_stream_ids;
  uint32_t num_qos_devices;
  uint32_t vpci_irq_base;
  uint64_t cpu_reset_address;
  uint64_t msg_reply_timeout;
  struct jhc_console console;
} JHC_PACKED;

struct jhc_cell_desc_c { /* C */
  char signature[5];
  uint8_t architecture;
  uint16_t revision;
  char name[JHC_CELL_NAME_BYTES];
  uint32_t id;
  uint32_t flags;
  uint32_t cpu_set_size;
  uint32_t rcpu_set_size;
  uint32_t num_memory_regions;
  uint32_t num_cache_regions;
  uint32_t num_irqchips;
  uint32_t num_pio_regions;
  uint32_t num_pci_devices;
  uint32_t num_pci_caps;
  uint32_t num_stream_ids;
  uint32_t num_qos_devices;
  uint32_t vpci_irq_base;
  uint64_t cpu_reset_address;
  uint64_t msg_reply_timeout;
  struct jhc_console console;
} JHC_PACKED;

/* The sizes of jailhouse-cell-format.md §2/§3; a wrong one stops the build. */
_Static_assert(sizeof(struct jhc_console) == 32, "console");
_Static_assert(sizeof(struct jhc_cache) == 12, "cache region");
_Static_assert(sizeof(struct jhc_irqchip) == 32, "irqchip");
_Static_assert(sizeof(struct jhc_pio) == 4, "pio region");
_Static_assert(sizeof(struct jhc_pci_device) == 56, "pci device");
_Static_assert(sizeof(struct jhc_pci_capability) == 8, "pci capability");
_Static_assert(sizeof(struct jhc_qos_device) == 20, "qos device");
_Static_assert(sizeof(struct jhc_memory_a) == 32, "memory region A");
_Static_assert(sizeof(struct jhc_memory_bc) == 40, "memory region B/C");
_Static_assert(sizeof(struct jhc_cell_desc_a) == 132, "cell header A12/A13");
_Static_assert(sizeof(struct jhc_cell_desc_a14) == 132, "cell header A14");
_Static_assert(sizeof(struct jhc_cell_desc_b) == 136, "cell header B");
_Static_assert(sizeof(struct jhc_cell_desc_c) == 140, "cell header C");

#endif /* RUNPHI_JAILHOUSE_CELL_FORMAT_H */

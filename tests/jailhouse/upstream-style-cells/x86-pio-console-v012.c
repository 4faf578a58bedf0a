/* dialect: upstream-v0.12 */
#include <jailhouse/types.h>
#include <jailhouse/cell-config.h>

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[3];
	struct jailhouse_cache cache_regions[1];
	struct jailhouse_pio pio_regions[2];
	__u32 stream_ids[1];
} __attribute__((packed)) config = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.name = "apic-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG |
			JAILHOUSE_CELL_TEST_DEVICE |
			JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED,
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_SIZE(config.mem_regions),
		.num_cache_regions = ARRAY_SIZE(config.cache_regions),
		.num_pio_regions = ARRAY_SIZE(config.pio_regions),
		.num_stream_ids = ARRAY_SIZE(config.stream_ids),
		.console = {
			.address = 0x3f8,
			.type = JAILHOUSE_CON_TYPE_8250,
			.flags = JAILHOUSE_CON_ACCESS_PIO |
				 JAILHOUSE_CON_REGDIST_1,
		},
	},
	.cpus = { 0x8 },
	.mem_regions = {
		{ .phys_start = 0x3f000000, .virt_start = 0, .size = 0x00100000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_LOADABLE },
		{ .phys_start = 0xfed00000, .virt_start = 0xfed00000, .size = 0x400,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_IO |
			JAILHOUSE_MEM_IO_UNALIGNED | JAILHOUSE_MEM_IO_32 },
		{ .virt_start = 0x00100000, .size = 0x00001000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			JAILHOUSE_MEM_COMM_REGION },
	},
	.cache_regions = {
		{ .start = 0, .size = 2, .type = JAILHOUSE_CACHE_L3,
		  .flags = JAILHOUSE_CACHE_ROOTSHARED },
	},
	.pio_regions = {
		PIO_RANGE(0x2f8, 8),
		PIO_RANGE(0xe010, 8),
	},
	.stream_ids = { 0x1234 },
};

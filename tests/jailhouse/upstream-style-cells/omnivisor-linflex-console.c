/* dialect: omnivisor-rev14 */
#include <jailhouse/types.h>
#include <jailhouse/cell-config.h>

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	__u64 rcpus[1];
	struct jailhouse_memory mem_regions[3];
	struct jailhouse_irqchip irqchips[1];
	union jailhouse_stream_id stream_ids[2];
} __attribute__((packed)) config = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.architecture = JAILHOUSE_ARM64,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.name = "linflex-console",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG,
		.cpu_set_size = sizeof(config.cpus),
		.rcpu_set_size = sizeof(config.rcpus),
		.num_memory_regions = ARRAY_SIZE(config.mem_regions),
		.num_irqchips = ARRAY_SIZE(config.irqchips),
		.num_stream_ids = ARRAY_SIZE(config.stream_ids),
		.console = {
			.address = 0x401c8000,
			.size = 0x3000,
			.type = JAILHOUSE_CON_TYPE_LINFLEX,
			.flags = JAILHOUSE_CON_ACCESS_MMIO |
				 JAILHOUSE_CON_REGDIST_4,
		},
	},
	.cpus = { 0x2 },
	.rcpus = { 0x0 },
	.mem_regions = {
		{ .phys_start = 0x401c8000, .virt_start = 0x401c8000, .size = 0x3000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			JAILHOUSE_MEM_IO | JAILHOUSE_MEM_ROOTSHARED },
		{ .phys_start = 0x3ed00000, .virt_start = 0, .size = 0x00100000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_LOADABLE },
		{ .virt_start = 0x80000000, .size = 0x00001000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			JAILHOUSE_MEM_COMM_REGION },
	},
	.irqchips = {
		{ .address = 0xf9010000, .pin_base = 32,
		  .pin_bitmap = { 1 << (54-32), 0, 0, 0 } },
	},
	.stream_ids = {
		{ .mmu500.id = 0x870, .mmu500.mask_out = 0x0f },
		{ .id = 0 },
	},
};

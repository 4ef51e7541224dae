// glibc's gnu_dev_major and gnu_dev_minor: how a st_dev or st_rdev packs the kernel's dev_t.

export function devMajor(dev: number | bigint): number {
  const d = BigInt(dev);
  return Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
}

export function devMinor(dev: number | bigint): number {
  const d = BigInt(dev);
  return Number((d & 0xffn) | ((d >> 12n) & ~0xffn & 0xffffffffn));
}

/** The kernel lab: an editable kernel over an image, live (issue 10, part 1). */
export function KernelLabButton() {
  return null;
}

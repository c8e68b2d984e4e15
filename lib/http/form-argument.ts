// A server action's form argument. React decodes whatever a request encodes,
// so a hand-made call can pass anything — or nothing — where the form belongs.
// Read as an empty form, whose missing fields the data layer refuses (a 400
// that is audited), never a TypeError (a 500). Safe on both sides.
export function formArgument(formData: unknown): FormData {
  return formData instanceof FormData ? formData : new FormData();
}

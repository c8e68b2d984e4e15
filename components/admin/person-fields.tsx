// Name, email, employer and employment type: the facts the seed's rules read.
import { EMPLOYER_LABELS, EMPLOYERS, EMPLOYMENT_TYPES, type Employer, type EmploymentType } from "@/lib/telemetry/vocabulary";
import type { ActionState } from "./action-state";
import { SelectField, TextField } from "./form-fields";

export type PersonFacts = { name: string; email: string; employer: Employer | ""; employmentType: EmploymentType | "" };

export function PersonFields({ state, idPrefix, defaults }: { state: ActionState<unknown>; idPrefix: string; defaults: PersonFacts }) {
  return (
    <div className="admin-field-grid">
      <TextField state={state} id={`${idPrefix}-name`} name="name" label="Name" defaultValue={defaults.name} required autoComplete="off" maxLength={200} />
      <TextField
        state={state}
        id={`${idPrefix}-email`}
        name="email"
        type="email"
        label="Email"
        defaultValue={defaults.email}
        required
        maxLength={320}
      />
      <SelectField
        state={state}
        id={`${idPrefix}-employer`}
        name="employer"
        label="Employer"
        options={EMPLOYERS.map((employer) => ({ value: employer, label: EMPLOYER_LABELS[employer] }))}
        defaultValue={defaults.employer}
        placeholder={defaults.employer ? undefined : "Choose…"}
      />
      <SelectField
        state={state}
        id={`${idPrefix}-type`}
        name="employmentType"
        label="Employment type"
        options={EMPLOYMENT_TYPES.map((type) => ({ value: type, label: type === "employee" ? "Employee" : "Contractor" }))}
        defaultValue={defaults.employmentType}
        placeholder={defaults.employmentType ? undefined : "Choose…"}
      />
    </div>
  );
}

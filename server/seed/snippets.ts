// Small, realistic code contexts for the demo telemetry's `content` documents:
// the code before the cursor (prefix), after it (suffix), the suggestion
// Copilot offered and a few alternatives it could have cycled through.
// Placeholders {{Entity}} / {{entity}} / {{entities}} are filled from ENTITIES
// once at module load, so each language has a few dozen distinct contexts and
// generation does no string work per event.
//
// Written for this project; the snippets are illustrative, not from any
// real repository.

export type CodeContext = {
  languageId: string;
  relativePath: string;
  prefix: string;
  suffix: string;
  /** the suggestion shown first (and accepted, when accepted) */
  suggestion: string;
  /** other suggestions the completion could cycle through */
  alternatives: readonly string[];
  /** zero-based cursor line and character at the end of the prefix */
  line: number;
  character: number;
  lineCount: number;
};

type Template = Omit<CodeContext, "line" | "character" | "lineCount">;

const ENTITIES = [
  ["Invoice", "invoice", "invoices"],
  ["Order", "order", "orders"],
  ["Customer", "customer", "customers"],
  ["Device", "device", "devices"],
  ["Shipment", "shipment", "shipments"],
  ["Ticket", "ticket", "tickets"],
  ["Account", "account", "accounts"],
  ["Reading", "reading", "readings"],
] as const;

const TEMPLATES: readonly Template[] = [
  // ── Python ──
  {
    languageId: "python",
    relativePath: "app/services/{{entity}}_service.py",
    prefix: `from dataclasses import dataclass
from datetime import datetime, timezone

from app.db import session_scope
from app.models import {{Entity}}


@dataclass(frozen=True)
class {{Entity}}Summary:
    count: int
    latest: datetime | None


def summarize_{{entities}}(owner_id: int) -> {{Entity}}Summary:
    with session_scope() as session:
`,
    suggestion: `        rows = session.query({{Entity}}).filter({{Entity}}.owner_id == owner_id).all()
        latest = max((row.created_at for row in rows), default=None)
        return {{Entity}}Summary(count=len(rows), latest=latest)
`,
    alternatives: [
      `        query = session.query({{Entity}}).filter_by(owner_id=owner_id)
        return {{Entity}}Summary(count=query.count(), latest=None)
`,
      `        rows = list(session.scalars(select({{Entity}}).where({{Entity}}.owner_id == owner_id)))
        return {{Entity}}Summary(len(rows), rows[-1].created_at if rows else None)
`,
    ],
    suffix: `


def archive_{{entity}}({{entity}}_id: int) -> None:
    with session_scope() as session:
        session.get({{Entity}}, {{entity}}_id).archived_at = datetime.now(timezone.utc)
`,
  },
  {
    languageId: "python",
    relativePath: "scripts/load_{{entities}}.py",
    prefix: `import csv
import sys
from pathlib import Path


def read_{{entities}}(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
`,
    suggestion: `        return [row for row in reader if row.get("id")]
`,
    alternatives: [`        return list(reader)
`],
    suffix: `


if __name__ == "__main__":
    rows = read_{{entities}}(Path(sys.argv[1]))
    print(f"loaded {len(rows)} {{entities}}")
`,
  },
  {
    languageId: "python",
    relativePath: "tests/test_{{entity}}_api.py",
    prefix: `import pytest

from app.api import create_app


@pytest.fixture
def client():
    app = create_app(testing=True)
    with app.test_client() as client:
        yield client


def test_list_{{entities}}_requires_auth(client):
`,
    suggestion: `    response = client.get("/api/{{entities}}")
    assert response.status_code == 401
`,
    alternatives: [
      `    assert client.get("/api/{{entities}}").status_code == 401
`,
    ],
    suffix: `


def test_get_{{entity}}_not_found(client, auth_headers):
    response = client.get("/api/{{entities}}/999", headers=auth_headers)
    assert response.status_code == 404
`,
  },
  // ── TypeScript ──
  {
    languageId: "typescript",
    relativePath: "src/api/{{entities}}.ts",
    prefix: `import { z } from "zod";
import { db } from "../db";

export const {{entity}}Schema = z.object({
  id: z.string().uuid(),
  name: z.string().min(1),
  createdAt: z.coerce.date(),
});

export type {{Entity}} = z.infer<typeof {{entity}}Schema>;

export async function list{{Entity}}s(limit = 50): Promise<{{Entity}}[]> {
`,
    suggestion: `  const rows = await db.query("SELECT id, name, created_at FROM {{entities}} ORDER BY created_at DESC LIMIT $1", [limit]);
  return rows.map((row) => {{entity}}Schema.parse({ id: row.id, name: row.name, createdAt: row.created_at }));
`,
    alternatives: [
      `  return db.{{entity}}.findMany({ orderBy: { createdAt: "desc" }, take: limit });
`,
    ],
    suffix: `}

export async function get{{Entity}}(id: string): Promise<{{Entity}} | undefined> {
  const [row] = await db.query("SELECT * FROM {{entities}} WHERE id = $1", [id]);
  return row ? {{entity}}Schema.parse(row) : undefined;
}
`,
  },
  {
    languageId: "typescript",
    relativePath: "src/utils/retry.ts",
    prefix: `export type RetryOptions = { attempts: number; baseDelayMs: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(task: () => Promise<T>, options: RetryOptions): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < options.attempts; attempt++) {
`,
    suggestion: `    try {
      return await task();
    } catch (error) {
      lastError = error;
      await sleep(options.baseDelayMs * 2 ** attempt);
    }
`,
    alternatives: [
      `    try {
      return await task();
    } catch (error) {
      lastError = error;
    }
`,
    ],
    suffix: `  }
  throw lastError;
}
`,
  },
  {
    languageId: "typescriptreact",
    relativePath: "src/components/{{Entity}}Table.tsx",
    prefix: `import type { {{Entity}} } from "../api/{{entities}}";

type Props = { {{entities}}: {{Entity}}[]; onSelect(id: string): void };

export function {{Entity}}Table({ {{entities}}, onSelect }: Props) {
  return (
    <table className="table">
      <tbody>
`,
    suggestion: `        {{{entities}}.map(({{entity}}) => (
          <tr key={{{entity}}.id} onClick={() => onSelect({{entity}}.id)}>
            <td>{{{entity}}.name}</td>
            <td>{{{entity}}.createdAt.toLocaleDateString()}</td>
          </tr>
        ))}
`,
    alternatives: [],
    suffix: `      </tbody>
    </table>
  );
}
`,
  },
  // ── JavaScript ──
  {
    languageId: "javascript",
    relativePath: "server/routes/{{entities}}.js",
    prefix: `const express = require("express");
const { requireUser } = require("../middleware/auth");
const store = require("../store");

const router = express.Router();

router.get("/:id", requireUser, async (req, res) => {
`,
    suggestion: `  const {{entity}} = await store.{{entities}}.get(req.params.id);
  if (!{{entity}}) return res.status(404).json({ error: "not found" });
  res.json({{entity}});
`,
    alternatives: [
      `  res.json(await store.{{entities}}.get(req.params.id));
`,
    ],
    suffix: `});

module.exports = router;
`,
  },
  // ── Go ──
  {
    languageId: "go",
    relativePath: "internal/{{entity}}/handler.go",
    prefix: `package {{entity}}

import (
	"encoding/json"
	"net/http"
)

type Handler struct {
	store Store
}

func (h *Handler) List(w http.ResponseWriter, r *http.Request) {
`,
    suggestion: `	items, err := h.store.List(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(items)
`,
    alternatives: [
      `	items, _ := h.store.List(r.Context())
	json.NewEncoder(w).Encode(items)
`,
    ],
    suffix: `}

func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{{entities}}", h.List)
}
`,
  },
  {
    languageId: "go",
    relativePath: "pkg/config/config.go",
    prefix: `package config

import (
	"fmt"
	"os"
	"strconv"
)

// Port returns the listening port from $PORT, defaulting to 8080.
func Port() (int, error) {
`,
    suggestion: `	value := os.Getenv("PORT")
	if value == "" {
		return 8080, nil
	}
	port, err := strconv.Atoi(value)
	if err != nil {
		return 0, fmt.Errorf("invalid PORT %q: %w", value, err)
	}
	return port, nil
`,
    alternatives: [],
    suffix: `}
`,
  },
  // ── Rust ──
  {
    languageId: "rust",
    relativePath: "src/{{entity}}.rs",
    prefix: `use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct {{Entity}} {
    pub id: u64,
    pub name: String,
    pub tags: Vec<String>,
}

pub fn index_by_tag({{entities}}: &[{{Entity}}]) -> HashMap<&str, Vec<u64>> {
`,
    suggestion: `    let mut index: HashMap<&str, Vec<u64>> = HashMap::new();
    for item in {{entities}} {
        for tag in &item.tags {
            index.entry(tag.as_str()).or_default().push(item.id);
        }
    }
    index
`,
    alternatives: [
      `    {{entities}}.iter().fold(HashMap::new(), |mut acc, item| {
        item.tags.iter().for_each(|t| acc.entry(t.as_str()).or_insert_with(Vec::new).push(item.id));
        acc
    })
`,
    ],
    suffix: `}

#[cfg(test)]
mod tests {
    use super::*;
}
`,
  },
  {
    languageId: "rust",
    relativePath: "src/main.rs",
    prefix: `use std::fs;
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let path: PathBuf = std::env::args().nth(1).expect("usage: count <file>").into();
`,
    suggestion: `    let text = fs::read_to_string(&path)?;
    let lines = text.lines().filter(|line| !line.trim().is_empty()).count();
    println!("{}: {} non-empty lines", path.display(), lines);
    Ok(())
`,
    alternatives: [],
    suffix: `}
`,
  },
  // ── Java ──
  {
    languageId: "java",
    relativePath: "src/main/java/com/example/{{entity}}/{{Entity}}Service.java",
    prefix: `package com.example.{{entity}};

import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

@Service
public class {{Entity}}Service {
    private final {{Entity}}Repository repository;

    public {{Entity}}Service({{Entity}}Repository repository) {
        this.repository = repository;
    }

    public List<{{Entity}}> findActive() {
`,
    suggestion: `        return repository.findAll().stream()
                .filter({{Entity}}::isActive)
                .toList();
`,
    alternatives: [
      `        return repository.findByActiveTrue();
`,
    ],
    suffix: `    }

    public Optional<{{Entity}}> findById(long id) {
        return repository.findById(id);
    }
}
`,
  },
  // ── C# ──
  {
    languageId: "csharp",
    relativePath: "src/Api/Controllers/{{Entity}}sController.cs",
    prefix: `using Microsoft.AspNetCore.Mvc;

namespace Api.Controllers;

[ApiController]
[Route("api/[controller]")]
public class {{Entity}}sController : ControllerBase
{
    private readonly I{{Entity}}Repository _repository;

    public {{Entity}}sController(I{{Entity}}Repository repository) => _repository = repository;

    [HttpGet("{id:int}")]
    public async Task<ActionResult<{{Entity}}Dto>> Get(int id)
    {
`,
    suggestion: `        var {{entity}} = await _repository.FindAsync(id);
        if ({{entity}} is null)
        {
            return NotFound();
        }
        return Ok({{Entity}}Dto.From({{entity}}));
`,
    alternatives: [
      `        var {{entity}} = await _repository.FindAsync(id);
        return {{entity}} is null ? NotFound() : Ok({{entity}});
`,
    ],
    suffix: `    }
}
`,
  },
  // ── C++ ──
  {
    languageId: "cpp",
    relativePath: "src/ring_buffer.hpp",
    prefix: `#pragma once
#include <array>
#include <cstddef>
#include <optional>

template <typename T, std::size_t N>
class RingBuffer {
public:
    bool push(const T& value) {
`,
    suggestion: `        if (size_ == N) return false;
        data_[(head_ + size_) % N] = value;
        ++size_;
        return true;
`,
    alternatives: [],
    suffix: `    }

private:
    std::array<T, N> data_{};
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};
`,
  },
  // ── Ruby ──
  {
    languageId: "ruby",
    relativePath: "app/models/{{entity}}.rb",
    prefix: `class {{Entity}} < ApplicationRecord
  belongs_to :account
  validates :name, presence: true

  scope :recent, -> { where("created_at > ?", 30.days.ago) }

  def display_name
`,
    suggestion: `    "#{name} (#{account.name})"
`,
    alternatives: [`    name.titleize
`],
    suffix: `  end
end
`,
  },
];

function fill(text: string, [pascal, lower, plural]: readonly [string, string, string]): string {
  return text.replaceAll("{{Entity}}", pascal).replaceAll("{{entity}}", lower).replaceAll("{{entities}}", plural);
}

function toContext(template: Template, entity: readonly [string, string, string]): CodeContext {
  const prefix = fill(template.prefix, entity);
  const suffix = fill(template.suffix, entity);
  const prefixLines = prefix.split("\n");
  return {
    languageId: template.languageId,
    relativePath: fill(template.relativePath, entity),
    prefix,
    suffix,
    suggestion: fill(template.suggestion, entity),
    alternatives: template.alternatives.map((alternative) => fill(alternative, entity)),
    line: prefixLines.length - 1,
    character: prefixLines[prefixLines.length - 1]!.length,
    lineCount: (prefix + suffix).split("\n").length,
  };
}

/** Every code context, grouped by VS Code language id. */
export const CODE_CONTEXTS: ReadonlyMap<string, readonly CodeContext[]> = (() => {
  const byLanguage = new Map<string, CodeContext[]>();
  for (const template of TEMPLATES) {
    const usesEntity = /\{\{/.test(template.prefix + template.suffix + template.suggestion + template.relativePath);
    const variants = usesEntity ? ENTITIES.map((entity) => toContext(template, entity)) : [toContext(template, ENTITIES[0])];
    const list = byLanguage.get(template.languageId) ?? [];
    list.push(...variants);
    byLanguage.set(template.languageId, list);
  }
  return byLanguage;
})();

export const SNIPPET_LANGUAGES: readonly string[] = [...CODE_CONTEXTS.keys()];

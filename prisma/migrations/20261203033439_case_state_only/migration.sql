-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Case" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseNumber" TEXT NOT NULL,
    "disputeType" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'walk_in',
    "state" TEXT NOT NULL DEFAULT 'reported',
    "grade" TEXT,
    "level" TEXT,
    "unitId" TEXT,
    "timeLimitDays" INTEGER,
    "startedAt" DATETIME,
    "deadlineAt" DATETIME,
    "closedAt" DATETIME,
    "settled" BOOLEAN,
    "agreementId" TEXT,
    "followUpDueAt" DATETIME,
    "lastSatisfaction" TEXT,
    "queryCodeHash" TEXT,
    "chainSeq" INTEGER NOT NULL DEFAULT 0,
    "chainHash" TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    "district" TEXT,
    "town" TEXT,
    "community" TEXT,
    "grid" TEXT,
    "createdById" TEXT,
    "leadMediatorId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Case_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Case_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Case_leadMediatorId_fkey" FOREIGN KEY ("leadMediatorId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Case" ("agreementId", "caseNumber", "chainHash", "chainSeq", "closedAt", "community", "createdAt", "createdById", "deadlineAt", "description", "disputeType", "district", "followUpDueAt", "grade", "grid", "id", "lastSatisfaction", "leadMediatorId", "level", "queryCodeHash", "settled", "source", "startedAt", "state", "timeLimitDays", "title", "town", "unitId", "updatedAt") SELECT "agreementId", "caseNumber", "chainHash", "chainSeq", "closedAt", "community", "createdAt", "createdById", "deadlineAt", "description", "disputeType", "district", "followUpDueAt", "grade", "grid", "id", "lastSatisfaction", "leadMediatorId", "level", "queryCodeHash", "settled", "source", "startedAt", "state", "timeLimitDays", "title", "town", "unitId", "updatedAt" FROM "Case";
DROP TABLE "Case";
ALTER TABLE "new_Case" RENAME TO "Case";
CREATE UNIQUE INDEX "Case_caseNumber_key" ON "Case"("caseNumber");
CREATE INDEX "Case_state_idx" ON "Case"("state");
CREATE INDEX "Case_unitId_idx" ON "Case"("unitId");
CREATE INDEX "Case_leadMediatorId_idx" ON "Case"("leadMediatorId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

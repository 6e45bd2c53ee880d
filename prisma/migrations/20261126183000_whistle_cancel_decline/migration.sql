-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_WhistleRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "unitId" TEXT NOT NULL,
    "need" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "requestedAt" DATETIME NOT NULL,
    "acceptedById" TEXT,
    "acceptedAt" DATETIME,
    "sessionId" TEXT,
    "invitationId" TEXT,
    "closedById" TEXT,
    "closedAt" DATETIME,
    "closeReason" TEXT,
    CONSTRAINT "WhistleRequest_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WhistleRequest_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "WhistleRequest_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "WhistleRequest_acceptedById_fkey" FOREIGN KEY ("acceptedById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "WhistleRequest_closedById_fkey" FOREIGN KEY ("closedById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_WhistleRequest" ("acceptedAt", "acceptedById", "caseId", "id", "invitationId", "need", "requestedAt", "requestedById", "sessionId", "status", "unitId") SELECT "acceptedAt", "acceptedById", "caseId", "id", "invitationId", "need", "requestedAt", "requestedById", "sessionId", "status", "unitId" FROM "WhistleRequest";
DROP TABLE "WhistleRequest";
ALTER TABLE "new_WhistleRequest" RENAME TO "WhistleRequest";
CREATE INDEX "WhistleRequest_unitId_status_idx" ON "WhistleRequest"("unitId", "status");
CREATE INDEX "WhistleRequest_caseId_idx" ON "WhistleRequest"("caseId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- AlterTable
ALTER TABLE "Case" ADD COLUMN "latitude" REAL;
ALTER TABLE "Case" ADD COLUMN "longitude" REAL;

-- AlterTable
ALTER TABLE "Unit" ADD COLUMN "latitude" REAL;
ALTER TABLE "Unit" ADD COLUMN "longitude" REAL;

-- CreateTable
CREATE TABLE "Grid" (
    "code" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "parentCode" TEXT,
    "patrolFrequency" TEXT,
    "workerId" TEXT,
    "geometry" TEXT,
    "minLng" REAL,
    "minLat" REAL,
    "maxLng" REAL,
    "maxLat" REAL,
    "importedAt" DATETIME NOT NULL,
    CONSTRAINT "Grid_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Grid_parentCode_idx" ON "Grid"("parentCode");

-- CreateIndex
CREATE INDEX "Grid_workerId_idx" ON "Grid"("workerId");

-- CreateIndex
CREATE INDEX "Case_grid_idx" ON "Case"("grid");

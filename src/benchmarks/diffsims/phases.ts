/**
 * The three default phases of ml_difsims as CIF text (the phase names are the CIF basenames, as
 * the reference's prediction files require). The same text is shipped as cif/<name>.cif for users
 * to download and inspect; tests/diffsims.cif.test.ts checks the two are identical. (Vite could
 * import the .cif files with `?raw`, but Node, vitest and tsx cannot, hence this module.)
 */

/** Default phase set, in label order. */
export const DEFAULT_PHASES = ['p4mbm_scaled_mixed_halide', 'gratia_2h', 'pbi2_2h'] as const;

const P4MBM_SCALED_MIXED_HALIDE_CIF = `# Tetragonal FA-based halide perovskite, P4/mbm (No. 127), sqrt2 x sqrt2 x 1 supercell of the
# cubic perovskite with tilted PbI6 octahedra. Structure as used by ml_difsims / DIFFSIMS XL
# (models/crystal_phases/p4mbm_scaled_mixed_halide.cif): a = b = 8.91 A, c = 6.30 A;
# Pb 2a, I 2b (apical), I 4g (equatorial), C 2c (formamidinium centre).
data_p4mbm_scaled_mixed_halide
_cell_length_a    8.9100
_cell_length_b    8.9100
_cell_length_c    6.3000
_cell_angle_alpha 90.0
_cell_angle_beta  90.0
_cell_angle_gamma 90.0
_symmetry_space_group_name_H-M 'P 4/m b m'
_symmetry_Int_Tables_number    127

loop_
_symmetry_equiv_pos_as_xyz
'x, y, z'
'-x, -y, z'
'-y, x, z'
'y, -x, z'
'-x+1/2, y+1/2, -z'
'x+1/2, -y+1/2, -z'
'y+1/2, x+1/2, -z'
'-y+1/2, -x+1/2, -z'
'-x, -y, -z'
'x, y, -z'
'y, -x, -z'
'-y, x, -z'
'x+1/2, -y+1/2, z'
'-x+1/2, y+1/2, z'
'-y+1/2, -x+1/2, z'
'y+1/2, x+1/2, z'

loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_occupancy
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Pb1 Pb 1.0 0.0   0.0   0.0
I1  I  1.0 0.0   0.0   0.5
I2  I  1.0 0.245 0.255 0.0
C1  C  1.0 0.0   0.5   0.5
`;

const GRATIA_2H_CIF = `# Hexagonal 2H (delta-type) FAPbI3 polytype after Gratia et al., P6_3/mmc (No. 194):
# chains of face-sharing PbI6 octahedra along c. a = b = 8.6667 A, c = 7.9077 A, gamma = 120.
# Pb 2a, I 6h, C 2d (formamidinium centre; z = 1.25 as published, i.e. 1/4), N partially
# occupied (0.333). The published summary gives no N position: N is placed here on 6h in the
# C mirror plane at C-N = 1.30 A, so that the 1/3 occupancy gives one N per C site.
data_gratia_2h
_cell_length_a    8.6667
_cell_length_b    8.6667
_cell_length_c    7.9077
_cell_angle_alpha 90.0
_cell_angle_beta  90.0
_cell_angle_gamma 120.0
_space_group_name_H-M_alt 'P 63/m m c'
_space_group_IT_number    194

loop_
_space_group_symop_operation_xyz
'x, y, z'
'-y, x-y, z'
'-x+y, -x, z'
'-x, -y, z+1/2'
'y, -x+y, z+1/2'
'x-y, x, z+1/2'
'y, x, -z'
'x-y, -y, -z'
'-x, -x+y, -z'
'-y, -x, -z+1/2'
'-x+y, y, -z+1/2'
'x, x-y, -z+1/2'
'-x, -y, -z'
'y, -x+y, -z'
'x-y, x, -z'
'x, y, -z+1/2'
'-y, x-y, -z+1/2'
'-x+y, -x, -z+1/2'
'-y, -x, z'
'-x+y, y, z'
'x, x-y, z'
'y, x, z+1/2'
'x-y, -y, z+1/2'
'-x, -x+y, z+1/2'

loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_occupancy
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Pb1 Pb 1.0   0.0      0.0      0.5
I1  I  1.0   0.33799  0.169    0.75
C1  C  1.0   0.666667 0.333333 1.25
N1  N  0.333 0.58     0.16     0.25
`;

const PBI2_2H_CIF = `# Lead iodide, 2H polytype (CdI2 type), P-3m1 (No. 164): a = b = 4.555 A, c = 6.977 A,
# gamma = 120. Pb 1a, I 2d.
data_pbi2_2h
_cell_length_a    4.555
_cell_length_b    4.555
_cell_length_c    6.977
_cell_angle_alpha 90.0
_cell_angle_beta  90.0
_cell_angle_gamma 120.0
_symmetry_space_group_name_H-M 'P -3 m 1'
_symmetry_Int_Tables_number    164

loop_
_symmetry_equiv_pos_site_id
_symmetry_equiv_pos_as_xyz
1  'x, y, z'
2  '-y, x-y, z'
3  '-x+y, -x, z'
4  'y, x, -z'
5  'x-y, -y, -z'
6  '-x, -x+y, -z'
7  '-x, -y, -z'
8  'y, -x+y, -z'
9  'x-y, x, -z'
10 '-y, -x, z'
11 '-x+y, y, z'
12 'x, x-y, z'

loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_occupancy
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Pb1 Pb 1.0 0.0      0.0      0.0
I1  I  1.0 0.333333 0.666667 0.265
`;

/** Built-in CIF texts by phase name. */
export const BUILTIN_CIFS: Readonly<Record<string, string>> = {
  p4mbm_scaled_mixed_halide: P4MBM_SCALED_MIXED_HALIDE_CIF,
  gratia_2h: GRATIA_2H_CIF,
  pbi2_2h: PBI2_2H_CIF,
};
